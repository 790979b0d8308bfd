import { createHash } from 'node:crypto'
import { ConfigInvalid, JWT_ALGORITHMS, MIN_SHARED_SECRET_LENGTH, assertStrongSecret, type JwtAlgorithm, type KeySource, type PasswordHashOptions } from '@polytoken/core'

export type GrantType = 'password' | 'refresh_token'
export const GRANT_TYPES: readonly GrantType[] = ['password', 'refresh_token']

/** One OAuth client. Without `secret`/`secretSha256` it is public (the document's legacy Basic form). */
export interface ZazzClientOptions {
  /** client_id; for a public client also the whole legacy Basic parameter. */
  id: string
  /** Confidential clients: the secret. Prefer `secretSha256` so configuration holds no usable secret. */
  secret?: string
  /** SHA-256 of the secret, base64url (e.g. `printf %s "$S" | openssl dgst -sha256 -binary | basenc --base64url`). */
  secretSha256?: string
  /** Integer put in the tokens' `client` claim. Default: position in the list + 1. */
  number?: number
  /** Grants this client may use. Default both: password, refresh_token. */
  grantTypes?: GrantType[]
  /** Scopes this client may ask for. Default ["full"]. */
  scopes?: string[]
  /** Scopes granted when the request names none. Default: all of `scopes`. */
  defaultScopes?: string[]
  /** May introspect tokens issued to any client (a resource server). Default false: only its own. */
  introspectAny?: boolean
}

export type AccountType = 'User' | 'Club'

export interface PhotoLinks {
  verySmallLink?: string
  smallLink?: string
  mediumLink?: string
  originalLink?: string
}

/** A user seeded from configuration at start-up (created, or updated when it exists). */
export interface ZazzUserOptions {
  username: string
  /** Clear-text password (hashed at start-up), or... */
  password?: string
  /** ...an encoded hash from hashPassword (`scrypt$N$r$p$salt$hash`). */
  passwordHash?: string
  /** Default: allocated. */
  userId?: number
  accountType?: AccountType
  isConfirmed?: boolean
  /** Default: the username. */
  displayName?: string
  /** Photo links, absolute or relative to photoBaseUrl; a missing size is the placeholder. */
  photo?: PhotoLinks
}

export interface BruteForceOptions {
  /** Counting window, seconds: every count starts again in each. Default 900. */
  windowSec?: number
  /** Failed logins of one username from one address per window; then 429 until the window ends. Default 10. */
  maxPerUsernameAddress?: number
  /** Failed logins from one address, any usernames, per window; then 429 until the window ends. Default 50. */
  maxPerAddress?: number
  /** Failed logins of one username from all addresses per window after which its logins are slowed down (never locked). Default 100. */
  slowUsernameAfter?: number
  /** Longest delay between two logins of a slowed-down username, seconds (from 1 s, doubling per failure). Default 60. */
  slowMaxSec?: number
  /** Failed client authentications from one address per window; then 429 until the window ends. Default 20. */
  maxClientFailuresPerAddress?: number
  /** Introspections answered `active: false` to one address per window; then 429 until the window ends. Default 100. */
  maxInactiveIntrospectionsPerAddress?: number
}

export interface ZazzOptions {
  clients: ZazzClientOptions[]
  users?: ZazzUserOptions[]
  /** `iss` claim. Default `https://www.zazzlife.com` (the document's). */
  issuer?: string
  /** `aud` claim. Default `Zazz clients` (the document's). */
  audience?: string
  /** Realm in WWW-Authenticate. Default `zazz`. */
  realm?: string
  /** Access token algorithm. Default HS256. */
  algorithm?: JwtAlgorithm
  /** Signing keys; default: one generated on first start, sealed in the store. */
  keys?: KeySource[]
  /** Access token lifetime, seconds. Default 3600. */
  accessTokenTtlSec?: number
  /** A refresh token unused this long dies, seconds. Default 14 days. */
  refreshIdleTtlSec?: number
  /** No refresh token of a login outlives this, seconds after the password grant. Default 90 days. */
  refreshAbsoluteTtlSec?: number
  /**
   * Refresh-token reuse grace period, seconds: the same client presenting its
   * just-rotated refresh token again within this gets a fresh pair instead of
   * losing its login (README). Default 0: off, every reuse revokes the family. At most 300.
   */
  refreshReuseGraceSec?: number
  /**
   * May public clients (no secret) call the introspection endpoint? RFC 7662
   * §2.1 wants the caller authorized, and a public client's id proves
   * nothing. Default false: confidential clients only; a public client is
   * answered 401 invalid_client.
   */
  publicClientIntrospection?: boolean
  /** Base of photo links. Default `http://localhost:17433` (the document's host). */
  photoBaseUrl?: string
  /** Placeholder image path under photoBaseUrl. Default `/Images/placeholder.gif`. */
  placeholderImage?: string
  /** scrypt cost of new password hashes. Default N=2^14, r=8, p=5 (README: why). */
  passwordHash?: PasswordHashOptions
  bruteForce?: BruteForceOptions
}

export interface ResolvedClient {
  id: string
  number: number
  /** SHA-256 of the secret; undefined for a public client. */
  secretDigest: Buffer | undefined
  grantTypes: ReadonlySet<GrantType>
  scopes: readonly string[]
  defaultScopes: readonly string[]
  introspectAny: boolean
}

export interface ResolvedZazzOptions {
  clients: ResolvedClient[]
  users: ZazzUserOptions[]
  issuer: string
  audience: string
  realm: string
  algorithm: JwtAlgorithm
  keys: KeySource[] | undefined
  accessTokenTtlSec: number
  refreshIdleTtlSec: number
  refreshAbsoluteTtlSec: number
  refreshReuseGraceSec: number
  publicClientIntrospection: boolean
  photoBaseUrl: string
  placeholderImage: string
  passwordHash: Required<PasswordHashOptions>
  bruteForce: Required<BruteForceOptions>
}

export const DEFAULT_PASSWORD_HASH: Required<PasswordHashOptions> = { N: 2 ** 14, r: 8, p: 5 }

// RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E.
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export function resolveOptions(options: ZazzOptions): ResolvedZazzOptions {
  if (!options || !Array.isArray(options.clients) || options.clients.length === 0) {
    throw new ConfigInvalid('zazz.clients: at least one client is required')
  }
  const clients = options.clients.map((client, index) => resolveClient(client, index))
  const ids = new Set<string>()
  const numbers = new Set<number>()
  for (const client of clients) {
    if (ids.has(client.id)) throw new ConfigInvalid(`zazz.clients: two clients share id "${client.id}"`)
    if (numbers.has(client.number)) throw new ConfigInvalid(`zazz.clients: two clients share number ${client.number}`)
    ids.add(client.id)
    numbers.add(client.number)
  }
  const algorithm = options.algorithm ?? 'HS256'
  if (!JWT_ALGORITHMS.includes(algorithm)) throw new ConfigInvalid(`zazz.algorithm: one of ${JWT_ALGORITHMS.join(', ')}`)
  const users = options.users ?? []
  if (!Array.isArray(users)) throw new ConfigInvalid('zazz.users: must be an array')
  users.forEach((user, index) => {
    if (typeof user?.username !== 'string' || user.username.length === 0) throw new ConfigInvalid(`zazz.users[${index}].username: required`)
    if ((user.password === undefined) === (user.passwordHash === undefined)) {
      throw new ConfigInvalid(`zazz.users[${index}]: give exactly one of password, passwordHash`)
    }
  })
  const given = options.bruteForce ?? {}
  for (const retired of ['maxPerUsername', 'lockSec']) {
    // Settings of the old design (attempts per username, a hard lock): refuse them rather than ignore them.
    if (retired in given) throw new ConfigInvalid(`zazz.bruteForce.${retired}: no longer a setting (see maxPerUsernameAddress and slowUsernameAfter in the zazz README)`)
  }
  const bruteForce = {
    windowSec: positive(given.windowSec, 900, 'zazz.bruteForce.windowSec'),
    maxPerUsernameAddress: positive(given.maxPerUsernameAddress, 10, 'zazz.bruteForce.maxPerUsernameAddress'),
    maxPerAddress: positive(given.maxPerAddress, 50, 'zazz.bruteForce.maxPerAddress'),
    slowUsernameAfter: positive(given.slowUsernameAfter, 100, 'zazz.bruteForce.slowUsernameAfter'),
    slowMaxSec: positive(given.slowMaxSec, 60, 'zazz.bruteForce.slowMaxSec'),
    maxClientFailuresPerAddress: positive(given.maxClientFailuresPerAddress, 20, 'zazz.bruteForce.maxClientFailuresPerAddress'),
    maxInactiveIntrospectionsPerAddress: positive(given.maxInactiveIntrospectionsPerAddress, 100, 'zazz.bruteForce.maxInactiveIntrospectionsPerAddress'),
  }
  const refreshIdleTtlSec = positive(options.refreshIdleTtlSec, 14 * 86_400, 'zazz.refreshIdleTtlSec')
  const refreshAbsoluteTtlSec = positive(options.refreshAbsoluteTtlSec, 90 * 86_400, 'zazz.refreshAbsoluteTtlSec')
  return {
    clients,
    users,
    issuer: options.issuer ?? 'https://www.zazzlife.com',
    audience: options.audience ?? 'Zazz clients',
    realm: options.realm ?? 'zazz',
    algorithm,
    keys: options.keys,
    accessTokenTtlSec: positive(options.accessTokenTtlSec, 3600, 'zazz.accessTokenTtlSec'),
    refreshIdleTtlSec,
    refreshAbsoluteTtlSec,
    refreshReuseGraceSec: graceSeconds(options.refreshReuseGraceSec),
    publicClientIntrospection: options.publicClientIntrospection === true,
    photoBaseUrl: (options.photoBaseUrl ?? 'http://localhost:17433').replace(/\/+$/, ''),
    placeholderImage: options.placeholderImage ?? '/Images/placeholder.gif',
    passwordHash: { ...DEFAULT_PASSWORD_HASH, ...options.passwordHash },
    bruteForce,
  }
}

function resolveClient(client: ZazzClientOptions, index: number): ResolvedClient {
  const where = `zazz.clients[${index}]`
  if (typeof client?.id !== 'string' || client.id.length === 0 || !/^[\x20-\x7E]+$/.test(client.id)) {
    throw new ConfigInvalid(`${where}.id: a non-empty printable ASCII string is required`)
  }
  if (client.secret !== undefined && client.secretSha256 !== undefined) throw new ConfigInvalid(`${where}: give at most one of secret, secretSha256`)
  if (client.secret !== undefined && (typeof client.secret !== 'string' || client.secret.length === 0)) {
    throw new ConfigInvalid(`${where}.secret: must be a non-empty string (omit it for a public client)`)
  }
  let secretDigest: Buffer | undefined
  if (client.secret !== undefined) {
    assertStrongSecret(`${where}.secret`, client.secret, MIN_SHARED_SECRET_LENGTH)
    secretDigest = sha256(client.secret)
  }
  if (client.secretSha256 !== undefined) {
    secretDigest = Buffer.from(client.secretSha256, 'base64url')
    if (secretDigest.length !== 32) throw new ConfigInvalid(`${where}.secretSha256: must be 32 bytes, base64url`)
  }
  const grantTypes = client.grantTypes ?? [...GRANT_TYPES]
  for (const grant of grantTypes) if (!GRANT_TYPES.includes(grant)) throw new ConfigInvalid(`${where}.grantTypes: unknown grant "${grant}"`)
  const scopes = client.scopes ?? ['full']
  for (const scope of scopes) if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) throw new ConfigInvalid(`${where}.scopes: "${scope}" is not a scope token`)
  const defaultScopes = client.defaultScopes ?? scopes
  for (const scope of defaultScopes) if (!scopes.includes(scope)) throw new ConfigInvalid(`${where}.defaultScopes: "${scope}" is not in scopes`)
  const number = client.number ?? index + 1
  if (!Number.isSafeInteger(number)) throw new ConfigInvalid(`${where}.number: must be an integer`)
  return { id: client.id, number, secretDigest, grantTypes: new Set(grantTypes), scopes, defaultScopes, introspectAny: client.introspectAny === true }
}

/** Hydra and Cognito cap theirs too: a long window is a long time for a stolen token to be honoured. */
const MAX_REUSE_GRACE_SEC = 300

function graceSeconds(value: number | undefined): number {
  if (value === undefined) return 0
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_REUSE_GRACE_SEC) {
    throw new ConfigInvalid(`zazz.refreshReuseGraceSec: seconds from 0 (off) to ${MAX_REUSE_GRACE_SEC}`)
  }
  return value
}

function positive(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) throw new ConfigInvalid(`${key}: must be a positive number`)
  return value
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
