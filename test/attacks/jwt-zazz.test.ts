import { generateKeyPairSync } from 'node:crypto'
import { describeJwtAttacks } from '@polytoken/express/conformance'
import { zazz, type ZazzOptions } from '@polytoken/plugins'
import { testOptions } from '../zazz/fixture.js'
import { login } from '../zazz/helpers.js'

// GET /api/v1/me verifies zazz's access token: HS256 by default, or any asymmetric algorithm the operator picks.
const SECRET = 'zazz-jwt-attack-signing-secret-0123456789'
const pem = (pair: { privateKey: { export(o: object): string | Buffer } }) => pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const keys = {
  HS256: { source: { secret: SECRET }, signingKey: SECRET },
  ES256: (() => {
    const p = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }))
    return { source: { pem: p }, signingKey: p }
  })(),
  RS256: (() => {
    const p = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }))
    return { source: { pem: p }, signingKey: p }
  })(),
  EdDSA: (() => {
    const p = pem(generateKeyPairSync('ed25519'))
    return { source: { pem: p }, signingKey: p }
  })(),
} as const

for (const algorithm of ['HS256', 'ES256', 'RS256', 'EdDSA'] as const) {
  const options: ZazzOptions = testOptions({ algorithm, keys: [keys[algorithm].source] })
  describeJwtAttacks({
    name: `zazz ${algorithm}`,
    dialect: () => zazz(options),
    routes: [
      {
        path: '/api/v1/me',
        algorithm,
        validToken: async (app) => (await login(app)).body.access_token as string,
        signingKey: keys[algorithm].signingKey,
        ...(algorithm === 'HS256' ? {} : { jwksPath: '/.well-known/jwks.json' }),
        issuer: 'https://www.zazzlife.com',
        audience: 'Zazz clients',
        leewaySec: 0,
      },
    ],
  })
}
