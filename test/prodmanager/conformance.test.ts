import { describeConformance } from '@polytoken/express/conformance'
import { prodmanager } from '@polytoken/plugins'

const secret = 'conformance-secret'
const basicSecret = `Basic ${Buffer.from(`admin:${secret}`).toString('base64')}`

describeConformance({
  name: 'prodmanager',
  dialect: () => prodmanager({ secret, permissions: { scope_api: 1, service_api: 2 } }),
  prefix: '/api',
  credentials: ({ path }) => {
    if (path === '/token/create') return { fields: { secret } }
    if (path === '/token/list' || path === '/token/revoke') return { headers: { authorization: basicSecret } }
    return undefined
  },
})
