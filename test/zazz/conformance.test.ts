import { SignJWT } from 'jose'
import { describeConformance } from '@polytoken/express/conformance'
import { zazz } from '@polytoken/plugins'
import { WEB_BASIC, testOptions } from './fixture.js'

const SIGNING_SECRET = 'zazz-conformance-signing-secret-0123456789'

/** A real access token for /api/v1/me, signed with the configured key (kid defaults to the ring name). */
async function accessToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ usr: 1, client: 2, tokenType: 'accessToken', fam: 'conformance-family', scope: 'full' })
    .setProtectedHeader({ alg: 'HS256', kid: 'access', typ: 'JWT' })
    .setIssuer('https://www.zazzlife.com')
    .setAudience('Zazz clients')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .setJti('conformance-jti')
    .sign(new TextEncoder().encode(SIGNING_SECRET))
}

describeConformance({
  name: 'zazz',
  dialect: () => zazz(testOptions({ keys: [{ secret: SIGNING_SECRET }] })),
  prefix: '/zazz',
  credentials: async ({ path }) => {
    if (path === '/api/v1/me') return { headers: { authorization: `Bearer ${await accessToken()}` } }
    return { headers: { authorization: WEB_BASIC } }
  },
})
