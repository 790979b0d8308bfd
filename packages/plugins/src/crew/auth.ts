import { AuthInvalid, AuthRequired, RequestInvalid, anonymous, basic, type AnonymousPrincipal, type AuthMethod } from '@polytoken/core'
import type { ResolvedCrewOptions } from './options.js'
import type { CrewParts } from './issue.js'

export type CrewPrincipal = { kind: 'user'; account: string } | AnonymousPrincipal

/** Basic (users from configuration or the store), else anonymous: what the policy gives nobody in particular. */
export function crewAuth(options: ResolvedCrewOptions, parts: CrewParts): AuthMethod<CrewPrincipal>[] {
  const password = basic<CrewPrincipal>({
    realm: options.realm,
    async verify(credential, { services, request }) {
      if (!credential.pair) throw new AuthInvalid('Basic credentials are malformed', { location: 'header', field: 'authorization' })
      return { kind: 'user', account: await parts.directory.authenticate(credential.pair.username, credential.pair.password, services, request.ip) }
    },
  })
  return [password, anonymous()]
}

export function accountOf(principal: CrewPrincipal): string | undefined {
  return principal.kind === 'user' ? principal.account : undefined
}

/** `account`, when given, must be the authenticated user (Docker sends it with every authenticated call). */
export function checkAccount(asked: string | undefined, authenticated: string | undefined, location: 'body' | 'querystring'): void {
  if (asked === undefined || asked === '' || asked === authenticated) return
  if (authenticated === undefined) throw new AuthRequired('authentication is required to act as an account', { location: 'header', field: 'authorization' })
  throw new RequestInvalid('account does not match the authenticated user', { location, field: 'account', reasons: { account: ['does not match the authenticated user'] } })
}
