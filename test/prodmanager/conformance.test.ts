import request from 'supertest'
import { describeConformance, type ConformanceKit } from '@polytoken/express/conformance'
import { prodmanager } from '@polytoken/plugins'

const secret = 'conformance-secret'
const basicSecret = `Basic ${Buffer.from(`admin:${secret}`).toString('base64')}`

/** A token created through the kit's own router, and its jti. */
async function createToken(kit: ConformanceKit): Promise<{ token: string; jti: string }> {
  const created = await request(kit.app).post('/api/token/create').type('form').send({ secret, name: 'conformance', description: 'a token for the kit' })
  const token = created.text
  const jti = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti
  return { token, jti }
}

/** A valid expiration_date: YYYY-MM-DDTHH:MM, UTC, a week from now. */
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16)

describeConformance({
  name: 'prodmanager',
  dialect: () => prodmanager({ secret, permissions: { scope_api: 1, service_api: 2 } }),
  prefix: '/api',
  validRequest: async ({ path }, kit) => {
    if (path === '/token/create') {
      return { fields: { secret }, body: { name: 'conformance', description: 'a token for the kit', permission: ['scope_api'], expiration_date: inAWeek() } }
    }
    if (path === '/token/list') return { headers: { authorization: basicSecret } }
    if (path === '/token/revoke') return { headers: { authorization: basicSecret }, body: { jti: (await createToken(kit)).jti } }
    if (path === '/token/whoami') return { headers: { authorization: `Bearer ${(await createToken(kit)).token}` } }
    return undefined
  },
})
