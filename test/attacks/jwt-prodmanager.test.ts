import request from 'supertest'
import { describeJwtAttacks } from '@polytoken/express/conformance'
import { prodmanager } from '@polytoken/plugins'

// GET /token/whoami verifies prodmanager's HS256 application token. Its aud is the
// application's name, not this service, so whoami checks no audience: no aud rows.
const SIGNING_SECRET = 'prodmanager-jwt-attack-signing-secret-0123456789'
const SECRET = 'changeit'

describeJwtAttacks({
  name: 'prodmanager',
  dialect: () => prodmanager({ secret: SECRET, issuer: 'prodmanager-attack', permissions: { scope_api: 1 }, keys: [{ secret: SIGNING_SECRET }] }),
  prefix: '/api',
  routes: [
    {
      path: '/api/token/whoami',
      algorithm: 'HS256',
      validToken: async (app) => {
        const created = await request(app).post('/api/token/create').field('secret', SECRET).field('name', 'attack-table').field('description', 'the JWT attack table').field('permission', 'scope_api')
        return created.text
      },
      signingKey: SIGNING_SECRET,
      issuer: 'prodmanager-attack',
      leewaySec: 0,
    },
  ],
})
