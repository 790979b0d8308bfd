import { describeConformance } from '@polytoken/express/conformance'
import { crew } from '@polytoken/plugins'
import { basic, testOptions } from './fixture.js'

describeConformance({
  name: 'crew',
  dialect: () => crew(testOptions()),
  prefix: '',
  // Past Basic authentication too, so the table reaches scope parsing, the policy and the refresh grant.
  credentials: ({ path }) => (path === '/v1/token' ? { headers: { authorization: basic('alice', 'alice-pw') } } : undefined),
})
