import { createHash } from 'node:crypto'
import { ConfigInvalid, MIN_SHARED_SECRET_LENGTH, assertStrongSecret, type JwtAlgorithm, type KeySource, type PasswordHashOptions } from '@polytoken/core'
import { validateOptions } from '../options-schema.js'
import { SCOPE_TOKEN_PATTERN, zazzOptionsSchema } from './options-schema.js'

export type GrantType = 'password' | 'refresh_token'

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
   * losing its login (docs/dialects/zazz.md). Default 0: off, every reuse revokes the family. At most 300.
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
  /** scrypt cost of new password hashes. Default N=2^14, r=8, p=5 (docs/dialects/zazz.md says why). */
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

// RFC 6749 §3.3 scope-token, one pattern for the options schema and the request parser.
export const SCOPE_TOKEN = new RegExp(SCOPE_TOKEN_PATTERN)

export { zazzOptionsSchema } from './options-schema.js'

type FilledZazzOptions = Required<Omit<ZazzOptions, 'keys' | 'passwordHash' | 'clients' | 'bruteForce'>> &
  Pick<ZazzOptions, 'keys' | 'passwordHash'> & { clients: FilledClient[]; bruteForce: Required<BruteForceOptions> }

export function resolveOptions(options: ZazzOptions): ResolvedZazzOptions {
  if (!options || typeof options !== 'object') throw new ConfigInvalid('zazz.clients: at least one client is required')
  for (const retired of ['maxPerUsername', 'lockSec']) {
    // Settings of the old design (attempts per username, a hard lock): refuse them with a pointer rather than as unknown keys.
    if (typeof options.bruteForce === 'object' && options.bruteForce !== null && retired in options.bruteForce) {
      throw new ConfigInvalid(`zazz.bruteForce.${retired}: no longer a setting (see maxPerUsernameAddress and slowUsernameAfter on the zazz page, docs/dialects/zazz.md)`)
    }
  }
  const given = validateOptions(zazzOptionsSchema, options, 'zazz') as FilledZazzOptions
  // What the schema cannot say: secrets, unique ids and numbers, exactly one password form.
  const clients = given.clients.map((client, index) => resolveClient(client, index))
  const ids = new Set<string>()
  const numbers = new Set<number>()
  for (const client of clients) {
    if (ids.has(client.id)) throw new ConfigInvalid(`zazz.clients: two clients share id "${client.id}"`)
    if (numbers.has(client.number)) throw new ConfigInvalid(`zazz.clients: two clients share number ${client.number}`)
    ids.add(client.id)
    numbers.add(client.number)
  }
  given.users.forEach((user, index) => {
    if ((user.password === undefined) === (user.passwordHash === undefined)) {
      throw new ConfigInvalid(`zazz.users[${index}]: give exactly one of password, passwordHash`)
    }
  })
  return {
    clients,
    users: given.users,
    issuer: given.issuer,
    audience: given.audience,
    realm: given.realm,
    algorithm: given.algorithm,
    keys: given.keys,
    accessTokenTtlSec: given.accessTokenTtlSec,
    refreshIdleTtlSec: given.refreshIdleTtlSec,
    refreshAbsoluteTtlSec: given.refreshAbsoluteTtlSec,
    refreshReuseGraceSec: given.refreshReuseGraceSec,
    publicClientIntrospection: given.publicClientIntrospection,
    photoBaseUrl: given.photoBaseUrl.replace(/\/+$/, ''),
    placeholderImage: given.placeholderImage,
    passwordHash: { ...DEFAULT_PASSWORD_HASH, ...given.passwordHash },
    bruteForce: given.bruteForce,
  }
}

type FilledClient = ZazzClientOptions & Required<Pick<ZazzClientOptions, 'grantTypes' | 'scopes' | 'introspectAny'>>

function resolveClient(client: FilledClient, index: number): ResolvedClient {
  const where = `zazz.clients[${index}]`
  if (client.secret !== undefined && client.secretSha256 !== undefined) throw new ConfigInvalid(`${where}: give at most one of secret, secretSha256`)
  let secretDigest: Buffer | undefined
  if (client.secret !== undefined) {
    assertStrongSecret(`${where}.secret`, client.secret, MIN_SHARED_SECRET_LENGTH)
    secretDigest = sha256(client.secret)
  }
  if (client.secretSha256 !== undefined) {
    secretDigest = Buffer.from(client.secretSha256, 'base64url')
    if (secretDigest.length !== 32) throw new ConfigInvalid(`${where}.secretSha256: must be 32 bytes, base64url`)
  }
  const scopes = client.scopes
  const defaultScopes = client.defaultScopes ?? scopes
  for (const scope of defaultScopes) if (!scopes.includes(scope)) throw new ConfigInvalid(`${where}.defaultScopes: "${scope}" is not in scopes`)
  const number = client.number ?? index + 1
  return { id: client.id, number, secretDigest, grantTypes: new Set(client.grantTypes), scopes, defaultScopes, introspectAny: client.introspectAny }
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
