import { TokenInvalid, bearer, defineRoute } from '@polytoken/core'
import type { AccessPrincipal } from './access-tokens.js'
import { NO_STORE } from './envelope.js'
import type { ResolvedZazzOptions } from './options.js'
import type { ZazzState } from './state.js'
import { userViewSchema } from './user-view.js'

/** GET /api/v1/me: the user object of the Bearer access token's user. */
export function meRoute(options: ResolvedZazzOptions, state: ZazzState) {
  return defineRoute<AccessPrincipal>({
    method: 'GET',
    path: '/api/v1/me',
    summary: 'The user of the Bearer access token',
    auth: [bearer({ realm: options.realm, verify: (token, { services }) => state.access!.verifyCached(token, services) })],
    responses: { 200: { description: 'The user (zazz.md user object)', schema: userViewSchema } },
    async handle({ principal }) {
      const user = await state.users!.get(principal.userId)
      if (!user) throw new TokenInvalid('the user of this token no longer exists')
      return { status: 200, headers: { ...NO_STORE }, body: state.view!(user) }
    },
  })
}
