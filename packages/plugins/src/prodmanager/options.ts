import { ConfigInvalid, MIN_SHARED_SECRET_LENGTH, assertStrongSecret, type KeySource } from '@polytoken/core'

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

export function resolveOptions(options: ProdManagerOptions): ResolvedProdManagerOptions {
  const secrets = typeof options?.secret === 'string' ? [options.secret] : options?.secret
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new ConfigInvalid('prodmanager.secret: a non-empty application secret is required')
  }
  secrets.forEach((secret, index) => assertStrongSecret(typeof options.secret === 'string' ? 'prodmanager.secret' : `prodmanager.secret[${index}]`, secret, MIN_SHARED_SECRET_LENGTH))
  const permissions = options.permissions ?? {}
  for (const [name, id] of Object.entries(permissions)) {
    if (!Number.isSafeInteger(id)) throw new ConfigInvalid(`prodmanager.permissions.${name}: must be an integer id`)
  }
  const maxNotBeforeAheadMs = options.maxNotBeforeAheadMs ?? 366 * 24 * 60 * 60 * 1000
  if (!Number.isSafeInteger(maxNotBeforeAheadMs) || maxNotBeforeAheadMs < 0) throw new ConfigInvalid('prodmanager.maxNotBeforeAheadMs: a non-negative integer (ms)')
  const ids = Object.values(permissions)
  if (new Set(ids).size !== ids.length) throw new ConfigInvalid('prodmanager.permissions: two names share one id')
  return {
    secrets,
    issuer: options.issuer ?? 'prodmanager',
    permissions,
    keys: options.keys,
    defaultLifetimeMs: options.defaultLifetimeMs ?? 60 * 60 * 1000,
    maxLifetimeMs: options.maxLifetimeMs ?? 366 * 24 * 60 * 60 * 1000,
    maxNotBeforeAheadMs,
    nameLength: options.nameLength ?? [8, 64],
    descriptionLength: options.descriptionLength ?? [12, 256],
    realm: options.realm ?? 'prodmanager',
    maxSecretFailuresPerAddress: positiveInteger(options.maxSecretFailuresPerAddress, 20, 'prodmanager.maxSecretFailuresPerAddress'),
    secretFailureWindowMs: positiveInteger(options.secretFailureWindowMs, 15 * 60 * 1000, 'prodmanager.secretFailureWindowMs'),
  }
}

function positiveInteger(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigInvalid(`${key}: a positive integer`)
  return value
}
