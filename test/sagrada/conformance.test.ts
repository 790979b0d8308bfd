import { describeConformance } from '@polytoken/express/conformance'
import { sagrada } from '@polytoken/plugins'
import { assertion, options } from './fixture.js'

describeConformance({
  name: 'sagrada',
  dialect: () => sagrada(options({ discovery: true })),
  prefix: '',
  // A real assertion (a fresh one each time), so the kit also runs past authentication into validation and the handler.
  validRequest: ({ path }) => (path.startsWith('/1.0/') ? { headers: { authorization: `BrowserID ${assertion()}` }, params: { app_name: 'sync', app_version: '1.5' } } : {}),
})
