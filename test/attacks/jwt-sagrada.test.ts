import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { describeJwtAttacks, signJwt } from '@polytoken/express/conformance'
import { sagrada } from '@polytoken/plugins'
import { options } from '../sagrada/fixture.js'

// sagrada's OAuth mode verifies JWTs of an external issuer (Firefox Accounts) against a configured JWKS:
// the test plays the issuer, so it holds the private key. RSA and EC keys, as FxA may publish either.
const ISSUER = 'https://accounts.example.com'
const AUDIENCE = 'https://token.example.com'
const SCOPE = 'https://identity.mozilla.com/apps/oldsync'
const X_KEY_ID = `1600000000000-${Buffer.from('aabbccdd', 'hex').toString('base64url')}`

for (const [algorithm, pair] of [
  ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
] as const) {
  const kid = `fxa-${algorithm}`
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' }
  const issue = (key: KeyObject) => {
    const now = Math.floor(Date.now() / 1000)
    return signJwt({ alg: algorithm, kid, typ: 'at+jwt' }, { iss: ISSUER, aud: AUDIENCE, sub: 'f00d0123456789', scope: `profile ${SCOPE}`, iat: now, nbf: now, exp: now + 300 }, key)
  }
  describeJwtAttacks({
    name: `sagrada OAuth ${algorithm}`,
    dialect: () => sagrada(options({ oauth: { jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE } })),
    routes: [
      {
        path: '/1.0/sync/1.5',
        present: (token) => ({ headers: { authorization: `Bearer ${token}`, 'x-keyid': X_KEY_ID } }),
        algorithm,
        validToken: async () => issue(pair.privateKey),
        signingKey: pair.privateKey,
        issuer: ISSUER,
        audience: AUDIENCE,
        leewaySec: 0,
      },
    ],
  })
}
