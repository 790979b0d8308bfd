import { TokenInvalid, TokenRevoked, bearer, defineRoute } from '@polytoken/core'
import { epochMatches } from './access-tokens.js'
import { NO_STORE } from './envelope.js'
import type { ResolvedZazzOptions } from './options.js'
import type { ZazzParts } from './parts.js'
import { userViewSchema, type UserView } from './user-view.js'

/** GET /api/v1/me: the user object of the Bearer access token's user. */
export function meRoute(options: ResolvedZazzOptions, parts: ZazzParts) {
  return defineRoute<UserView>({
    method: 'GET',
    path: '/api/v1/me',
    summary: 'The user of the Bearer access token',
    auth: [
      bearer({
        realm: options.realm,
        async verify(token, { services }) {
          // The user is read with the token check and cached with it: a cache hit answers with no store read.
          const { loaded } = await parts.access.verifyCached(token, services, 'me', async (principal) => {
            const user = await parts.users.get(principal.userId)
            if (!user) throw new TokenInvalid('the user of this token no longer exists')
            if (!epochMatches(principal.epoch, user)) throw new TokenRevoked("the user's logins were ended (password changed)")
            return parts.view(user)
          })
          return loaded
        },
      }),
    ],
    responses: { 200: { description: 'The user (zazz.md user object)', schema: userViewSchema } },
    handle: ({ principal }) => ({ status: 200, headers: { ...NO_STORE }, body: principal }),
  })
}
