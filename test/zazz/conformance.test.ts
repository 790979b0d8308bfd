import request from 'supertest'
import { describeConformance, type ConformanceKit } from '@polytoken/express/conformance'
import { zazz } from '@polytoken/plugins'
import { WEB_BASIC, rfcBasic, testOptions } from './fixture.js'

const SIGNING_SECRET = 'zazz-conformance-signing-secret-0123456789'
const RESOURCE_SERVER = rfcBasic('resource-server', 'rs-secret')

/** A login on the kit's own router: a live access token and refresh token. */
async function login(kit: ConformanceKit): Promise<{ access_token: string; refresh_token: string }> {
  const response = await request(kit.app).post('/zazz/api/v1/token').type('form').set('authorization', WEB_BASIC).send({ grant_type: 'password', username: 'soroush', password: '123' })
  return response.body as { access_token: string; refresh_token: string }
}

describeConformance({
  name: 'zazz',
  // The kit changes the client secret and the password one character at a time: no lock-out, so the rest reaches the handler.
  dialect: () => zazz(testOptions({ keys: [{ secret: SIGNING_SECRET }], bruteForce: { maxPerUsernameAddress: 10_000, maxPerAddress: 10_000, windowSec: 60 } })),
  prefix: '/zazz',
  validRequest: async ({ path }, kit) => {
    if (path === '/api/v1/me') return { headers: { authorization: `Bearer ${(await login(kit)).access_token}` } }
    if (path === '/api/v1/token') return { headers: { authorization: WEB_BASIC }, body: { grant_type: 'password', username: 'soroush', password: '123', scope: 'full' } }
    if (path === '/api/v1/token/revoke') return { headers: { authorization: WEB_BASIC }, body: { token: (await login(kit)).refresh_token, token_type_hint: 'refresh_token' } }
    if (path === '/api/v1/token/introspect') return { headers: { authorization: RESOURCE_SERVER }, body: { token: (await login(kit)).access_token } }
    return undefined
  },
})
