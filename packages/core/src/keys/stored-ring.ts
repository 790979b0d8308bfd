import { KeyInvalid } from '../errors.js'
import type { JwtAlgorithm } from './keyring.js'
import { KeyRotationRefused } from './key-rotation-refused.js'

/**
 * The generated keys of one ring as the store keeps them (record `keyring:<name>:<alg>` in the dialect's namespace),
 * each private key sealed under the master key. States:
 * - `next`: published in the JWKS and accepted by verifiers, not signing yet (so every instance and every JWKS
 *   reader knows it before the first token it signs exists);
 * - `active`: signs new tokens; exactly one;
 * - `previous`: a former active key, verify-only until it is retired (tokens it signed are still alive).
 * A retired key is removed from the record: its sealed material is gone with it.
 */
export type StoredKeyState = 'next' | 'active' | 'previous'

export interface StoredKey {
  kid: string
  state: StoredKeyState
  /** Epoch ms: when it was generated. */
  createdAt: number
  /** Epoch ms: when it last changed state (== createdAt until promoted). */
  changedAt: number
  /** The private (or HS256 secret) key as a JWK, sealed (seal.ts). */
  sealed: string
}

export interface StoredRing {
  version: 2
  algorithm: JwtAlgorithm
  keys: StoredKey[]
  /** Read from a legacy one-key record (never written). */
  legacy?: true
}

/** The one-key record written before rings could rotate; read as a ring whose only key is active. */
interface LegacyRecord {
  kid: string
  algorithm: JwtAlgorithm
  createdAt: number
  sealed: string
}

export function storedRingKey(name: string, algorithm: JwtAlgorithm): string {
  return `keyring:${name}:${algorithm}`
}

/**
 * What the store holds, checked, as a ring. A legacy record reads as one active key and is not rewritten here: it
 * keeps its old shape (so an older polytoken can still start on it) until the first rotation writes the new one.
 */
export function readStoredRing(value: unknown, algorithm: JwtAlgorithm, where: string): StoredRing | undefined {
  if (value === undefined || value === null) return undefined
  const record = value as Partial<StoredRing> & Partial<LegacyRecord>
  if (record.version === undefined && typeof record.kid === 'string' && typeof record.sealed === 'string') {
    const createdAt = typeof record.createdAt === 'number' ? record.createdAt : 0
    return checked(
      { version: 2, legacy: true, algorithm: record.algorithm ?? algorithm, keys: [{ kid: record.kid, state: 'active', createdAt, changedAt: createdAt, sealed: record.sealed }] },
      algorithm,
      where,
    )
  }
  if (record.version !== 2 || !Array.isArray(record.keys)) throw new KeyInvalid(`${where}: the stored key ring is not in a format this version reads`)
  // Rebuilt field by field: nothing else a record holds (a `legacy` flag) is taken from the store.
  return checked({ version: 2, algorithm: record.algorithm as JwtAlgorithm, keys: record.keys }, algorithm, where)
}

function checked(ring: StoredRing, algorithm: JwtAlgorithm, where: string): StoredRing {
  if (ring.algorithm !== algorithm) throw new KeyInvalid(`${where}: the stored key ring holds ${String(ring.algorithm)} keys, not ${algorithm}`)
  const kids = new Set<string>()
  for (const key of ring.keys) {
    const wellFormed =
      typeof key?.kid === 'string' &&
      key.kid !== '' &&
      ['next', 'active', 'previous'].includes(key.state) &&
      typeof key.sealed === 'string' &&
      Number.isFinite(key.createdAt) &&
      Number.isFinite(key.changedAt)
    if (!wellFormed || kids.has(key.kid)) throw new KeyInvalid(`${where}: the stored key ring has a malformed or duplicate entry`)
    kids.add(key.kid)
  }
  if (ring.keys.filter((key) => key.state === 'active').length !== 1) throw new KeyInvalid(`${where}: the stored key ring has no single active key`)
  return ring
}

/** A fresh ring around one generated key. */
export function newStoredRing(algorithm: JwtAlgorithm, key: { kid: string; sealed: string }, now: number): StoredRing {
  return { version: 2, algorithm, keys: [{ kid: key.kid, state: 'active', createdAt: now, changedAt: now, sealed: key.sealed }] }
}

/** The ring with a generated key added as `next`. One `next` at a time: two racing generates leave one. */
export function withNextKey(ring: StoredRing, key: { kid: string; sealed: string }, now: number): StoredRing {
  const pending = ring.keys.find((candidate) => candidate.state === 'next')
  if (pending) throw new KeyRotationRefused(`key "${pending.kid}" is already waiting as next: promote or retire it first`)
  if (ring.keys.some((candidate) => candidate.kid === key.kid)) throw new KeyRotationRefused(`key "${key.kid}" is already in the ring`)
  return { ...ring, keys: [...ring.keys, { kid: key.kid, state: 'next', createdAt: now, changedAt: now, sealed: key.sealed }] }
}

export interface PromoteOptions {
  now: number
  /**
   * A `next` key younger than this is refused: an instance that has not re-read the ring yet would refuse the tokens
   * it signs. The key refresh interval.
   */
  minAgeMs: number
  /** Promote a young key anyway. */
  force?: boolean
}

/**
 * The ring with `kid` active and the former active key `previous` (verify-only). Promoting a `previous` key rolls back
 * (every instance already accepts it, so no age applies); promoting the active key changes nothing.
 */
export function withPromoted(ring: StoredRing, kid: string, options: PromoteOptions): StoredRing {
  const target = findKey(ring, kid)
  if (target.state === 'active') return ring
  const age = options.now - target.createdAt
  if (target.state === 'next' && age < options.minAgeMs && !options.force) {
    throw new KeyRotationRefused(
      `key "${kid}" was generated ${Math.max(0, Math.round(age / 1000))} s ago; instances re-read their keys every ${Math.round(options.minAgeMs / 1000)} s, so one may not accept its tokens yet (wait, or --force)`,
    )
  }
  return {
    ...ring,
    keys: ring.keys.map((key) => {
      if (key.kid === kid) return { ...key, state: 'active', changedAt: options.now }
      if (key.state === 'active') return { ...key, state: 'previous', changedAt: options.now }
      return key
    }),
  }
}

/** The ring without `kid`; the active key cannot be retired (promote another first). */
export function withRetired(ring: StoredRing, kid: string): StoredRing {
  const target = findKey(ring, kid)
  if (target.state === 'active') throw new KeyRotationRefused(`key "${kid}" is the active signing key: promote another key before retiring it`)
  return { ...ring, keys: ring.keys.filter((key) => key.kid !== kid) }
}

function findKey(ring: StoredRing, kid: string): StoredKey {
  const key = ring.keys.find((candidate) => candidate.kid === kid)
  if (!key) throw new KeyRotationRefused(`no key "${kid}" in this ring`, { notFound: true })
  return key
}
