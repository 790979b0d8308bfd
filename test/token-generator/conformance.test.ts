import { describeConformance } from '@polytoken/express/conformance'
import { tokenGenerator } from '@polytoken/plugins'
import { sessionToken, testOptions } from './helpers.js'

describeConformance({
  name: 'token-generator',
  dialect: () => tokenGenerator(testOptions()),
  prefix: '',
  // Past authentication too, so the table reaches the permission checks in the handler.
  credentials: async () => ({ headers: { authorization: `Token token="${await sessionToken()}"` } }),
})
