import { describeConformance } from '@polytoken/express/conformance'
import { sagrada } from '@polytoken/plugins'
import { assertion, options } from './fixture.js'

describeConformance({
  name: 'sagrada',
  dialect: () => sagrada(options({ discovery: true })),
  prefix: '',
  // A real assertion, so the table also runs past authentication into validation and the handler.
  credentials: ({ path }) => (path.startsWith('/1.0/') ? { headers: { authorization: `BrowserID ${assertion()}` }, params: { app_name: 'sync', app_version: '1.5' } } : undefined),
})
