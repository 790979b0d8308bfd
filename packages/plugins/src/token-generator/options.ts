import { createHash } from 'node:crypto'
import { ConfigInvalid, assertStrongHs256Key, compileValidator, secretKeyMaterial, type InputValidator, type JsonSchema, type KeySource } from '@polytoken/core'
import { validateOptions } from '../options-schema.js'
import { defaultPermissionSchema } from './permission-schema.js'
import { tokenGeneratorOptionsSchema } from './options-schema.js'

export interface TokenGeneratorOptions {
  /** HS256 keys that verify the caller's session token (`[{ secret }]`; several: rotation). Required. */
  sessionKeys: KeySource[]
  /** HS256 keys that sign the new token: the resource service's secret. Required, and not a session key. */
  resourceKeys: KeySource[]
  /** Where the resource service lives; returned as `endpoint`. Required. */
  endpoint: string
  /** JSON Schema every `permission` object must satisfy (ajv, strict). Default: the document's shape. */
  permissionSchema?: JsonSchema
  /** Claims `permission` may not set, besides exp, iat, nbf, iss, sub, aud, jti, user_id and the caller's own claims. */
  reservedClaims?: string[]
  /** Claims the session token must carry besides exp. Default `['iat', 'user_id']`. */
  requiredClaims?: string[]
  /** Shorten the new token's life to at most this many seconds from now. Default: none (the caller's exp). */
  maxLifetimeSec?: number
  /** Leeway on the session token's exp/nbf, in seconds. Default 0. */
  clockToleranceSec?: number
  /** Echo the caller's token in `X-token`, as the original does. Default true. */
  echoToken?: boolean
  /** Realm in `WWW-Authenticate`. Default `Application` (Rails' default). */
  realm?: string
}

export interface ResolvedTokenGeneratorOptions {
  sessionKeys: KeySource[]
  resourceKeys: KeySource[]
  endpoint: string
  validatePermission: InputValidator
  reservedClaims: ReadonlySet<string>
  requiredClaims: string[]
  maxLifetimeSec: number | undefined
  clockToleranceSec: number
  echoToken: boolean
  realm: string
  /** Put a `kid` in the new token's header only when the operator named one; the document's tokens have none. */
  resourceKid: string | undefined
}

export const REGISTERED_CLAIMS = ['exp', 'iat', 'nbf', 'iss', 'sub', 'aud', 'jti', 'user_id'] as const

export { tokenGeneratorOptionsSchema } from './options-schema.js'

type FilledTokenGeneratorOptions = TokenGeneratorOptions & Required<Pick<TokenGeneratorOptions, 'reservedClaims' | 'requiredClaims' | 'clockToleranceSec' | 'echoToken' | 'realm'>>

export function resolveOptions(options: TokenGeneratorOptions): ResolvedTokenGeneratorOptions {
  const where = 'token-generator'
  if (!options || typeof options !== 'object') throw new ConfigInvalid(`${where}: options are required`)
  const given = validateOptions(tokenGeneratorOptionsSchema, options, where) as FilledTokenGeneratorOptions
  // What the schema cannot say: key strength, and session and resource keys never the same key.
  const sessionKeys = checkKeys(given.sessionKeys, `${where}.sessionKeys`)
  const resourceKeys = checkKeys(given.resourceKeys, `${where}.resourceKeys`)
  // One key for both would make every abilities token a valid session token and the reverse. Compared as
  // key material, so `{ secret: S }` and `{ jwk: { kty: "oct", k: base64url(S) } }` (or a JWK file) are one key.
  const sessionMaterial = new Set(sessionKeys.map((key, index) => materialDigest(key, `${where}.sessionKeys[${index}]`)).filter((digest) => digest !== undefined))
  resourceKeys.forEach((key, index) => {
    const digest = materialDigest(key, `${where}.resourceKeys[${index}]`)
    if (digest !== undefined && sessionMaterial.has(digest)) throw new ConfigInvalid(`${where}.resourceKeys[${index}]: must not be the same key as one of sessionKeys`)
  })
  let validatePermission: InputValidator
  try {
    validatePermission = compileValidator(given.permissionSchema ?? defaultPermissionSchema, 'json', 'body')
  } catch (cause) {
    throw new ConfigInvalid(`${where}.permissionSchema: does not compile in strict mode: ${(cause as Error).message}`, { cause })
  }
  const activeResourceKey = resourceKeys.find((key) => (key.use ?? 'sign') === 'sign')
  return {
    sessionKeys,
    resourceKeys,
    endpoint: given.endpoint,
    validatePermission,
    reservedClaims: new Set([...REGISTERED_CLAIMS, ...given.reservedClaims]),
    requiredClaims: given.requiredClaims,
    maxLifetimeSec: given.maxLifetimeSec,
    clockToleranceSec: given.clockToleranceSec,
    echoToken: given.echoToken,
    realm: given.realm,
    resourceKid: activeResourceKey?.kid,
  }
}

function checkKeys(keys: KeySource[], where: string): KeySource[] {
  keys.forEach((key, index) => {
    if (typeof key.secret === 'string') assertStrongHs256Key(`${where}[${index}].secret`, Buffer.from(key.secret, 'utf8'))
  })
  return keys
}

/** SHA-256 of a symmetric key's bytes (hex), or undefined for an asymmetric key. */
function materialDigest(key: KeySource, where: string): string | undefined {
  let material: Buffer | undefined
  try {
    material = secretKeyMaterial(key)
  } catch (cause) {
    // Not the parser's message: it may quote the file, and the file is a secret.
    throw new ConfigInvalid(`${where}.jwk: cannot read the key (${(cause as NodeJS.ErrnoException).code ?? 'not a JSON JWK'})`)
  }
  return material === undefined ? undefined : createHash('sha256').update(material).digest('hex')
}
