import { describeConformance } from '@polytoken/express/conformance'
import { tokenGenerator } from '@polytoken/plugins'
import { DOCUMENT_PERMISSION, sessionToken, testOptions } from './helpers.js'

describeConformance({
  name: 'token-generator',
  dialect: () => tokenGenerator(testOptions()),
  prefix: '',
  // Past authentication and into the permission checks of the handler: the permission replaced by every other JSON type.
  validRequest: async () => ({ headers: { authorization: `Token token="${await sessionToken()}"` }, body: { permission: DOCUMENT_PERMISSION } }),
})
