import { describeJwtAttacks } from '@polytoken/express/conformance'
import { tokenGenerator } from '@polytoken/plugins'
import { PATH, RESOURCE_SECRET, SESSION_SECRET, sessionToken, testOptions, tokenAuth } from '../token-generator/helpers.js'

// POST /api/v1/token verifies the caller's HS256 session token, sent as `Token token="..."` or as Bearer.
// The route signs its own tokens with the resource key: one of those must never pass as a session token.
const common = {
  method: 'POST' as const,
  path: PATH,
  algorithm: 'HS256' as const,
  validToken: () => sessionToken(),
  signingKey: SESSION_SECRET,
  leewaySec: 0,
  foreignKeys: [{ name: 'the resource key (the tokens this route issues)', algorithm: 'HS256' as const, key: RESOURCE_SECRET, kid: 'resource' }],
}

describeJwtAttacks({
  name: 'token-generator',
  dialect: () => tokenGenerator(testOptions()),
  routes: [
    { ...common, name: 'POST /api/v1/token, Authorization: Token token="<jwt>"', present: (token) => ({ headers: { authorization: tokenAuth(token) }, body: {} }) },
    { ...common, name: 'POST /api/v1/token, Authorization: Bearer <jwt>', present: (token) => ({ headers: { authorization: `Bearer ${token}` }, body: {} }) },
  ],
})
