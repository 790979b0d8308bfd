import { ConfigInvalid, type KeySource, type PasswordHashOptions } from '@polytoken/core'
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

/** Account names: what Docker Hub and Distribution accept, and nothing a glob or a log line could misread. */
export const ACCOUNT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$'
const ACCOUNT = new RegExp(ACCOUNT_PATTERN)
export const SERVICE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$'
const SERVICE = new RegExp(SERVICE_PATTERN)

export function resolveOptions(options: CrewOptions): ResolvedCrewOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigInvalid('crew: options are required (at least crew.service)')
  const services = typeof options.service === 'string' ? [options.service] : options.service
  if (!Array.isArray(services) || services.length === 0 || services.some((s) => typeof s !== 'string' || !SERVICE.test(s))) {
    throw new ConfigInvalid('crew.service: one service name or a non-empty array of them is required (e.g. "registry.example.com")')
  }
  const algorithm = options.algorithm ?? 'ES256'
  if (algorithm !== 'ES256' && algorithm !== 'RS256') throw new ConfigInvalid('crew.algorithm: ES256 or RS256')
  const issuer = options.issuer ?? 'polytoken-crew'
  if (typeof issuer !== 'string' || issuer.length === 0) throw new ConfigInvalid('crew.issuer: a non-empty string')
  const tokenLifetimeSec = options.tokenLifetimeSec ?? 300
  if (!Number.isInteger(tokenLifetimeSec) || tokenLifetimeSec < 60 || tokenLifetimeSec > 86_400) {
    throw new ConfigInvalid('crew.tokenLifetimeSec: an integer from 60 (Docker clients expect at least 60) to 86400')
  }
  const refreshTokenLifetimeSec = options.refreshTokenLifetimeSec ?? 30 * 24 * 60 * 60
  if (!Number.isInteger(refreshTokenLifetimeSec) || refreshTokenLifetimeSec < 60) throw new ConfigInvalid('crew.refreshTokenLifetimeSec: an integer of at least 60')
  const users = options.users ?? {}
  for (const [name, user] of Object.entries(users)) {
    if (!ACCOUNT.test(name)) throw new ConfigInvalid(`crew.users.${name}: account names are letters, digits and . _ @ + - (at most 128)`)
    const given = [user?.password, user?.passwordHash].filter((value) => typeof value === 'string' && value.length > 0).length
    if (given !== 1) throw new ConfigInvalid(`crew.users.${name}: give exactly one of password, passwordHash`)
    if (user.passwordHash !== undefined && !user.passwordHash.startsWith('scrypt$')) {
      throw new ConfigInvalid(`crew.users.${name}.passwordHash: not a hash from hashPassword() (scrypt$...)`)
    }
  }
  const maxScopes = options.maxScopes ?? 32
  if (!Number.isInteger(maxScopes) || maxScopes < 1 || maxScopes > 256) throw new ConfigInvalid('crew.maxScopes: an integer from 1 to 256')
  const loginAttempts = {
    max: options.loginAttempts?.max ?? 10,
    windowMs: options.loginAttempts?.windowMs ?? 15 * 60 * 1000,
    maxPerAddress: options.loginAttempts?.maxPerAddress ?? 50,
    slowAccountAfter: options.loginAttempts?.slowAccountAfter ?? 100,
    slowMaxMs: options.loginAttempts?.slowMaxMs ?? 60_000,
    maxRevokeFailuresPerAddress: options.loginAttempts?.maxRevokeFailuresPerAddress ?? 20,
  }
  for (const key of ['slowAccountAfter', 'slowMaxMs', 'maxRevokeFailuresPerAddress'] as const) {
    if (!Number.isInteger(loginAttempts[key]) || loginAttempts[key] < 1) throw new ConfigInvalid(`crew.loginAttempts.${key}: a positive integer`)
  }
  if (!Number.isInteger(loginAttempts.max) || loginAttempts.max < 1) throw new ConfigInvalid('crew.loginAttempts.max: a positive integer')
  if (!Number.isInteger(loginAttempts.windowMs) || loginAttempts.windowMs < 1000) throw new ConfigInvalid('crew.loginAttempts.windowMs: at least 1000 (ms)')
  if (!Number.isInteger(loginAttempts.maxPerAddress) || loginAttempts.maxPerAddress < 1) throw new ConfigInvalid('crew.loginAttempts.maxPerAddress: a positive integer')
  const certificateLifetimeDays = options.certificateLifetimeDays ?? 3650
  if (!Number.isInteger(certificateLifetimeDays) || certificateLifetimeDays < 31) throw new ConfigInvalid('crew.certificateLifetimeDays: an integer of at least 31')
  return {
    issuer,
    services,
    algorithm,
    keys: options.keys,
    x5c: options.x5c ?? false,
    certificateSubject: options.certificateSubject ?? issuer,
    certificateLifetimeDays,
    onCertificate: options.onCertificate,
    tokenLifetimeSec,
    refreshTokenLifetimeSec,
    realm: options.realm ?? 'crew',
    users,
    policy: createPolicy(options.policy),
    maxScopes,
    loginAttempts,
    passwordHashing: options.passwordHashing ?? {},
  }
}
