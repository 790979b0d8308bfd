import { ConfigInvalid, MIN_SHARED_SECRET_LENGTH, assertStrongSecret, type KeySource } from '@polytoken/core'
import { validateOptions } from '../options-schema.js'
import { prodmanagerOptionsSchema } from './options-schema.js'

export interface ProdManagerOptions {
  /** The application secret(s) that create, list and revoke require. Several: rotation. */
  secret: string | string[]
  /** `iss` of every token. Default `prodmanager`. */
  issuer?: string
  /** Permission names accepted by create → the integer ids tokens carry. */
  permissions: Record<string, number>
  /** HS256 signing keys; default: one generated on first start, sealed in the store. */
  keys?: KeySource[]
  /** Token lifetime when expiration_date is absent, in ms. Default 1 hour. */
  defaultLifetimeMs?: number
  /** Longest lifetime create will grant, in ms. Default 366 days. */
  maxLifetimeMs?: number
  /** How far ahead of now not_before_date may lie, in ms. Default 366 days. */
  maxNotBeforeAheadMs?: number
  /** Length bounds of `name` and `description`. Defaults [8, 64] and [12, 256]. */
  nameLength?: [number, number]
  descriptionLength?: [number, number]
  /** Realm in WWW-Authenticate. Default `prodmanager`. */
  realm?: string
  /** Wrong application secrets from one address per window (create, list, revoke together); then 429 until the window ends. Default 20. */
  maxSecretFailuresPerAddress?: number
  /** The window of maxSecretFailuresPerAddress, in ms. Default 15 minutes. */
  secretFailureWindowMs?: number
}

export type ResolvedProdManagerOptions = Required<Omit<ProdManagerOptions, 'keys' | 'secret'>> & {
  keys: KeySource[] | undefined
  secrets: string[]
}

export { prodmanagerOptionsSchema } from './options-schema.js'

export function resolveOptions(options: ProdManagerOptions): ResolvedProdManagerOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigInvalid('prodmanager.secret: a non-empty application secret is required')
  const given = validateOptions(prodmanagerOptionsSchema, options, 'prodmanager') as Required<Omit<ProdManagerOptions, 'keys'>> & Pick<ProdManagerOptions, 'keys'>
  // What the schema cannot say: secret strength, and one id per permission.
  const secrets = typeof given.secret === 'string' ? [given.secret] : given.secret
  secrets.forEach((secret, index) => assertStrongSecret(typeof given.secret === 'string' ? 'prodmanager.secret' : `prodmanager.secret[${index}]`, secret, MIN_SHARED_SECRET_LENGTH))
  const ids = Object.values(given.permissions)
  if (new Set(ids).size !== ids.length) throw new ConfigInvalid('prodmanager.permissions: two names share one id')
  const { secret: _secret, keys, ...rest } = given
  return { ...rest, secrets, keys }
}
