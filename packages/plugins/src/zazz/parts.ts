import type { AccessTokens } from './access-tokens.js'
import type { BruteForceGuard } from './brute-force.js'
import type { RefreshTokens } from './refresh-tokens.js'
import type { UserView } from './user-view.js'
import type { UserRecord, ZazzUsers } from './users.js'

/** What setup() builds from one router's services; the routes receive it as an argument. */
export interface ZazzParts {
  users: ZazzUsers
  refresh: RefreshTokens
  access: AccessTokens
  guard: BruteForceGuard
  view: (user: UserRecord) => UserView
}
