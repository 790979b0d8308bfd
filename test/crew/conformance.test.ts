import request from 'supertest'
import { describeConformance } from '@polytoken/express/conformance'
import { crew } from '@polytoken/plugins'
import { SERVICE, basic, testOptions } from './fixture.js'

const alice = basic('alice', 'alice-pw')

describeConformance({
  name: 'crew',
  // The kit changes the password one character at a time: a lock-out would keep the rest from the handler.
  dialect: () => crew(testOptions({ loginAttempts: { max: 1000, windowMs: 60_000 } })),
  prefix: '',
  // Past Basic authentication and into scope parsing, the policy, the refresh grant and revocation.
  validRequest: async ({ method, path }, kit) => {
    if (method === 'GET') return { headers: { authorization: alice }, query: { service: SERVICE, scope: 'repository:alice/app:pull,push', offline_token: 'true', client_id: 'kit' } }
    if (path === '/v1/token') return { headers: { authorization: alice }, body: { service: SERVICE, scope: 'repository:alice/app:pull', account: 'alice', grant: 'docker' }, status: 201 }
    // A live refresh token, issued on the kit's own router.
    const issued = await request(kit.app).get('/v1/token').set('authorization', alice).query({ service: SERVICE, offline_token: 'true' })
    return { body: { token: (issued.body as { refresh_token: string }).refresh_token, token_type_hint: 'refresh_token' } }
  },
})
