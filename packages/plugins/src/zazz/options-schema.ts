import { JWT_ALGORITHMS, type JsonSchema } from '@polytoken/core'
import { keysSchema, passwordHashSchema } from '../shared-schemas.js'

const seconds = (description: string, fallback: number): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, default: fallback, description })
const perWindow = (description: string, fallback: number): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, default: fallback, description })
const link = (description: string): JsonSchema => ({ type: 'string', description })

// RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E.
export const SCOPE_TOKEN_PATTERN = '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$'

const clientSchema: JsonSchema = {
  type: 'object',
  description: "One OAuth client. Without `secret`/`secretSha256` it is public (the document's legacy Basic form).",
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1, pattern: '^[\\x20-\\x7E]+$', description: 'client_id (printable ASCII); for a public client also the whole legacy Basic parameter.' },
    secret: { type: 'string', minLength: 1, description: 'Confidential clients: the secret (at least 8 characters). Prefer `secretSha256` so configuration holds no usable secret.' },
    secretSha256: { type: 'string', description: 'SHA-256 of the secret, base64url (e.g. `printf %s "$S" | openssl dgst -sha256 -binary | basenc --base64url`). At most one of secret, secretSha256.' },
    number: { type: 'integer', description: "Integer put in the tokens' `client` claim, unique. Default: position in the list + 1." },
    grantTypes: { type: 'array', items: { enum: ['password', 'refresh_token'] }, default: ['password', 'refresh_token'], description: 'Grants this client may use.' },
    scopes: { type: 'array', items: { type: 'string', pattern: SCOPE_TOKEN_PATTERN }, default: ['full'], description: 'Scopes this client may ask for (RFC 6749 scope tokens).' },
    defaultScopes: { type: 'array', items: { type: 'string' }, description: 'Scopes granted when the request names none; each one of `scopes`. Default: all of `scopes`.' },
    introspectAny: { type: 'boolean', default: false, description: 'May introspect tokens issued to any client (a resource server). Off: only its own.' },
  },
  additionalProperties: false,
}

// No defaults here: a seeded user updates an existing record, and a default would overwrite what the record holds.
const userSchema: JsonSchema = {
  type: 'object',
  description: 'A user seeded at start-up (created, or updated when it exists): exactly one of password, passwordHash.',
  required: ['username'],
  properties: {
    username: { type: 'string', minLength: 1, description: 'The login name (1-128 printable characters).' },
    password: { type: 'string', description: 'Clear-text password, hashed at start-up.' },
    passwordHash: { type: 'string', description: 'An encoded hash from hashPassword (`scrypt$N$r$p$salt$hash`).' },
    userId: { type: 'integer', minimum: 1, description: 'The user id. Default: allocated.' },
    accountType: { enum: ['User', 'Club'], description: 'Account type. Default `User`.' },
    isConfirmed: { type: 'boolean', description: 'Whether the account is confirmed.' },
    displayName: { type: 'string', description: 'Default: the username.' },
    photo: {
      type: 'object',
      description: 'Photo links, absolute or relative to photoBaseUrl; a missing size is the placeholder.',
      properties: {
        verySmallLink: link('Very small photo.'),
        smallLink: link('Small photo.'),
        mediumLink: link('Medium photo.'),
        originalLink: link('Original photo.'),
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

/** zazz's options: what config.json may set. */
export const zazzOptionsSchema: JsonSchema = {
  type: 'object',
  description: 'zazz: OAuth 2.0 password and refresh-token grants, introspection, revocation and /me.',
  required: ['clients'],
  properties: {
    clients: { type: 'array', minItems: 1, items: clientSchema, description: 'The OAuth clients (at least one); ids and numbers unique.' },
    users: { type: 'array', items: userSchema, default: [], description: 'Users seeded from configuration at start-up.' },
    issuer: { type: 'string', default: 'https://www.zazzlife.com', description: "`iss` claim (the document's)." },
    audience: { type: 'string', default: 'Zazz clients', description: "`aud` claim (the document's)." },
    realm: { type: 'string', default: 'zazz', description: 'Realm in `WWW-Authenticate`.' },
    algorithm: { enum: [...JWT_ALGORITHMS], default: 'HS256', description: 'Access token algorithm.' },
    keys: keysSchema('Signing keys; default: one generated on first start, sealed in the store.'),
    accessTokenTtlSec: seconds('Access token lifetime, seconds.', 3600),
    refreshIdleTtlSec: seconds('A refresh token unused this long dies, seconds (default 14 days).', 14 * 86_400),
    refreshAbsoluteTtlSec: seconds('No refresh token of a login outlives this, seconds after the password grant (default 90 days).', 90 * 86_400),
    refreshReuseGraceSec: {
      type: 'number',
      minimum: 0,
      maximum: 300,
      default: 0,
      description:
        'Refresh-token reuse grace period, seconds: the same client presenting its just-rotated refresh token again within this gets a fresh pair instead of losing its login. 0: off, every reuse revokes the family. At most 300.',
    },
    publicClientIntrospection: {
      type: 'boolean',
      default: false,
      description:
        "May public clients (no secret) call the introspection endpoint? RFC 7662 §2.1 wants the caller authorized, and a public client's id proves nothing. Off: a public client is answered 401 invalid_client.",
    },
    photoBaseUrl: { type: 'string', default: 'http://localhost:17433', description: "Base of photo links (the document's host)." },
    placeholderImage: { type: 'string', default: '/Images/placeholder.gif', description: 'Placeholder image path under photoBaseUrl.' },
    passwordHash: passwordHashSchema('scrypt cost of new password hashes. Default N=2^14, r=8, p=5 (docs/dialects/zazz.md says why).'),
    bruteForce: {
      type: 'object',
      default: {},
      description: 'Login guessing limits, counted per window. A busy username is slowed down, never locked.',
      properties: {
        windowSec: perWindow('Counting window, seconds: every count starts again in each.', 900),
        maxPerUsernameAddress: perWindow('Failed logins of one username from one address per window; then 429 until the window ends.', 10),
        maxPerAddress: perWindow('Failed logins from one address, any usernames, per window; then 429 until the window ends.', 50),
        slowUsernameAfter: perWindow('Failed logins of one username from all addresses per window after which its logins are slowed down (never locked).', 100),
        slowMaxSec: perWindow('Longest delay between two logins of a slowed-down username, seconds (from 1 s, doubling per failure).', 60),
        maxClientFailuresPerAddress: perWindow('Failed client authentications from one address per window; then 429 until the window ends.', 20),
        maxInactiveIntrospectionsPerAddress: perWindow('Introspections answered `active: false` to one address per window; then 429 until the window ends.', 100),
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}
