import { ConfigInvalid, type KeySource, type PasswordHashOptions } from '@polytoken/core'
import { joinPath, validateOptions } from '../options-schema.js'
import { ACCOUNT_PATTERN, crewOptionsSchema } from './options-schema.js'
import { createPolicy, type Policy, type PolicyRule } from './policy.js'
import type { CrewCertificate } from './certificate.js'

/** A user from configuration: a scrypt hash from hashPassword(), or a password hashed at start-up. */
export interface CrewUserConfig {
  passwordHash?: string
  /** Plain text, hashed once at start-up and then forgotten. Convenient for examples; prefer passwordHash. */
  password?: string
}

export interface CrewOptions {
  /** `iss` of every token; the registry's `auth.token.issuer`. Default `polytoken-crew`. */
  issuer?: string
  /** The service(s) tokens may be asked for (`aud`); the registry's `auth.token.service`. Required. */
  service: string | string[]
  /** ES256 (default, what Docker registries expect) or RS256. */
  algorithm?: 'ES256' | 'RS256'
  /** Signing keys; default: one generated on first start, sealed in the store. */
  keys?: KeySource[]
  /** Put the certificate in the `x5c` header of every token. Default false: the registry finds the key by `kid`. */
  x5c?: boolean
  /** Subject CN of the generated certificate. Default: the issuer. */
  certificateSubject?: string
  /** Lifetime of the generated certificate in days. Default 3650. */
  certificateLifetimeDays?: number
  /** Called once at start-up with the signing certificate (write it where the registry reads its rootcertbundle). */
  onCertificate?: (certificate: CrewCertificate) => void | Promise<void>
  /** Access token lifetime in seconds (`expires_in`). Default 300, at least 60. */
  tokenLifetimeSec?: number
  /** Refresh token lifetime in seconds. Default 30 days. */
  refreshTokenLifetimeSec?: number
  /** Basic realm in WWW-Authenticate. Default `crew`. */
  realm?: string
  /** Users by name. More can live in the store (see createCrewUsers). */
  users?: Record<string, CrewUserConfig>
  /** Ordered access rules; first match wins; no match, no actions. Default: none (every token is empty). */
  policy?: PolicyRule[]
  /** Most scopes in one request. Default 32. */
  maxScopes?: number
  /**
   * Password guessing limits, counted per window (windowMs, default 15 minutes):
   * `max` failed checks of one account from one address (default 10) and
   * `maxPerAddress` from one address across accounts (default 50), then 429
   * until the window ends; past `slowAccountAfter` failures of one account from
   * all addresses (default 100), one attempt per delay, doubling from 1 s to
   * `slowMaxMs` (default 60 000), never a lock. `maxRevokeFailuresPerAddress`:
   * revocations of tokens that were not live, per address (default 20).
   */
  loginAttempts?: { max?: number; windowMs?: number; maxPerAddress?: number; slowAccountAfter?: number; slowMaxMs?: number; maxRevokeFailuresPerAddress?: number }
  /** scrypt cost for passwords hashed at start-up and by createCrewUsers. Default core's (N = 2^14). */
  passwordHashing?: PasswordHashOptions
}

export interface ResolvedCrewOptions {
  issuer: string
  services: string[]
  algorithm: 'ES256' | 'RS256'
  keys: KeySource[] | undefined
  x5c: boolean
  certificateSubject: string
  certificateLifetimeDays: number
  onCertificate: CrewOptions['onCertificate']
  tokenLifetimeSec: number
  refreshTokenLifetimeSec: number
  realm: string
  users: Record<string, CrewUserConfig>
  policy: Policy
  maxScopes: number
  loginAttempts: Required<NonNullable<CrewOptions['loginAttempts']>>
  passwordHashing: PasswordHashOptions
}

export { ACCOUNT_PATTERN, SERVICE_PATTERN, crewOptionsSchema } from './options-schema.js'
const ACCOUNT = new RegExp(ACCOUNT_PATTERN)

/** The options with the schema's defaults filled in. */
type FilledCrewOptions = CrewOptions &
  Required<Pick<CrewOptions, 'issuer' | 'algorithm' | 'x5c' | 'certificateLifetimeDays' | 'tokenLifetimeSec' | 'refreshTokenLifetimeSec' | 'realm' | 'users' | 'maxScopes' | 'passwordHashing'>> & {
    loginAttempts: ResolvedCrewOptions['loginAttempts']
  }

export function resolveOptions(options: CrewOptions): ResolvedCrewOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigInvalid('crew: options are required (at least crew.service)')
  const given = validateOptions(crewOptionsSchema, options, 'crew') as FilledCrewOptions
  // What the schema cannot say: which names are accounts, and exactly one of password, passwordHash.
  for (const [name, user] of Object.entries(given.users)) {
    if (!ACCOUNT.test(name)) throw new ConfigInvalid(`${joinPath('crew.users', [name])}: account names are letters, digits and . _ @ + - (at most 128)`)
    const count = [user.password, user.passwordHash].filter((value) => value !== undefined).length
    if (count !== 1) throw new ConfigInvalid(`${joinPath('crew.users', [name])}: give exactly one of password, passwordHash`)
  }
  return {
    issuer: given.issuer,
    services: typeof given.service === 'string' ? [given.service] : given.service,
    algorithm: given.algorithm,
    keys: given.keys,
    x5c: given.x5c,
    certificateSubject: given.certificateSubject ?? given.issuer,
    certificateLifetimeDays: given.certificateLifetimeDays,
    onCertificate: given.onCertificate,
    tokenLifetimeSec: given.tokenLifetimeSec,
    refreshTokenLifetimeSec: given.refreshTokenLifetimeSec,
    realm: given.realm,
    users: given.users,
    policy: createPolicy(given.policy),
    maxScopes: given.maxScopes,
    loginAttempts: given.loginAttempts,
    passwordHashing: given.passwordHashing,
  }
}
