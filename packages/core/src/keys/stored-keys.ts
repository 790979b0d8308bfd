import { createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey } from 'node:crypto'
import { ConfigInvalid, KeyInvalid } from '../errors.js'
import type { Store } from '../storage/store.js'
import type { JwtAlgorithm, KidFunction, RingKey } from './keyring.js'
import { buildRingKey, checkKeyFitsAlgorithm, generateKeyPair } from './ring-key.js'
import { KeyRotationRefused } from './key-rotation-refused.js'
import { seal, unseal } from './seal.js'
import { newStoredRing, readStoredRing, storedRingKey, withNextKey, withPromoted, withRetired, type PromoteOptions, type StoredKey, type StoredRing } from './stored-ring.js'

/** A stored key, unsealed: its record (state, dates) and the key the ring uses. */
export interface LoadedKey {
  readonly record: StoredKey
  readonly key: RingKey
}

/**
 * The generated (store-kept) keys of one ring, as this process last read them. Writes go through the store's
 * update(), a compare-and-set: two CLIs or instances racing never lose a write nor leave two active keys.
 */
export interface StoredKeys {
  /** Active first, then next, then previous keys (newest first). */
  readonly current: readonly LoadedKey[]
  /** Re-read the store. Throws (and keeps `current`) when the store or the record fails; true when something changed. */
  refresh(): Promise<boolean>
  /** Generate a key as `next`. */
  generate(): Promise<StoredKey>
  promote(kid: string, options: Omit<PromoteOptions, 'now'>): Promise<StoredKey>
  /** Remove a key that is not active; returns its last record. */
  retire(kid: string): Promise<StoredKey>
  /** Called after `current` changed (a refresh, or a write of this process), with the kids that left the ring. */
  onChange(listener: (change: { retired: string[] }) => void): void
}

export interface StoredKeysOptions {
  name: string
  algorithm: JwtAlgorithm
  kid: KidFunction | undefined
  store: Store
  masterKey: string | undefined
  /** Kids of configured keys of the same ring: a stored key may not reuse one. */
  reservedKids: ReadonlySet<string>
  now: () => number
  /** Where the ring sits in the configuration, for messages. */
  where: string
}

/** Load the ring's stored keys, generating and storing the first one when there is none yet. */
export async function openStoredKeys(options: StoredKeysOptions): Promise<StoredKeys> {
  const { store, algorithm, where } = options
  const masterKey = options.masterKey
  if (!masterKey) throw new ConfigInvalid(`masterKey: required to seal the generated ${algorithm} key for "${options.name}" (or configure ${where} keys)`)
  const recordKey = storedRingKey(options.name, algorithm)
  const listeners: Array<(change: { retired: string[] }) => void> = []
  let current: LoadedKey[] = []

  // What a sealed key is bound to: moved to another ring or kid, it no longer unseals.
  const sealContext = (kid: string) => `${store.namespace}/${recordKey}/${kid}`
  const generateSealed = async () => {
    const pair = generateKeyPair(algorithm)
    const key = await buildRingKey({ ...pair, algorithm, use: 'verify', kid: undefined, deriveKid: options.kid, x5c: undefined, where })
    if (options.reservedKids.has(key.kid)) throw new KeyRotationRefused(`the generated key's kid "${key.kid}" is taken by a configured key`)
    return { kid: key.kid, sealed: seal(masterKey, JSON.stringify(pair.signingKey.export({ format: 'jwk' })), sealContext(key.kid)) }
  }
  /** The key of a record written before rings rotated was sealed unbound (v1): bound when the record is first rewritten. */
  const bound = (record: StoredKey): StoredKey => (record.sealed.startsWith('v1.') ? { ...record, sealed: seal(masterKey, unseal(masterKey, record.sealed), sealContext(record.kid)) } : record)

  /** Unseal what changed since the last read (a state change alone reuses the key objects). */
  const load = (ring: StoredRing): boolean => {
    const known = new Map(current.map((loaded) => [loaded.record.kid, loaded]))
    const order = { active: 0, next: 1, previous: 2 } as const
    const records = [...ring.keys].sort((a, b) => order[a.state] - order[b.state] || b.changedAt - a.changedAt)
    const next = records.map((record): LoadedKey => {
      if (options.reservedKids.has(record.kid)) throw new KeyInvalid(`${where}: stored key "${record.kid}" has the kid of a configured key`)
      const before = known.get(record.kid)
      if (before && before.record.sealed === record.sealed) {
        if (before.record.state === record.state && before.record.changedAt === record.changedAt) return before
        return { record, key: { ...before.key, use: record.state === 'active' ? 'sign' : 'verify' } }
      }
      // Only the one key of a legacy record may be sealed unbound: in a ring, a v1 key would be one moved there.
      if (!ring.legacy && !record.sealed.startsWith('v2.')) throw new KeyInvalid(`${where}: stored key "${record.kid}" is not sealed to this ring`)
      return { record, key: unsealKey(unseal(masterKey, record.sealed, sealContext(record.kid)), record, algorithm, where) }
    })
    const changed = next.length !== current.length || next.some((loaded, index) => loaded !== current[index])
    current = next
    return changed
  }
  const apply = (value: unknown): boolean => {
    const ring = readStoredRing(value, algorithm, where)
    if (!ring) throw new KeyInvalid(`${where}: the stored key ring vanished from the store`)
    const before = current.map((loaded) => loaded.record.kid)
    const changed = load(ring)
    if (changed) {
      const retired = before.filter((kid) => !current.some((loaded) => loaded.record.kid === kid))
      for (const listener of listeners) listener({ retired })
    }
    return changed
  }
  /** One compare-and-set on the record; `change` sees the live ring and may refuse by throwing. */
  const write = async (change: (ring: StoredRing) => StoredRing): Promise<StoredRing> => {
    const written = await store.update<unknown>(recordKey, (value) => {
      const ring = readStoredRing(value, algorithm, where)
      if (!ring) throw new KeyInvalid(`${where}: the stored key ring vanished from the store`)
      const changed = change(ring)
      // Unchanged (promoting the active key): nothing to write.
      if (changed === ring) return undefined
      const { legacy: _legacy, ...written } = { ...changed, keys: changed.keys.map(bound) }
      return written
    })
    apply(written)
    return readStoredRing(written, algorithm, where)!
  }

  let value = await store.get<unknown>(recordKey)
  if (value === undefined) {
    // Several instances may start at once: the first writer wins, the rest load its key.
    const candidate = newStoredRing(algorithm, await generateSealed(), options.now())
    value = (await store.add(recordKey, candidate)) ? candidate : await store.get<unknown>(recordKey)
  }
  apply(value)

  return {
    get current() {
      return current
    },
    refresh: async () => apply(await store.get<unknown>(recordKey)),
    onChange: (listener) => void listeners.push(listener),
    async generate() {
      const fresh = await generateSealed()
      const ring = await write((ring) => withNextKey(ring, fresh, options.now()))
      return ring.keys.find((key) => key.kid === fresh.kid)!
    },
    async promote(kid, promoteOptions) {
      const ring = await write((ring) => withPromoted(ring, kid, { ...promoteOptions, now: options.now() }))
      return ring.keys.find((key) => key.kid === kid)!
    },
    async retire(kid) {
      let retired: StoredKey | undefined
      await write((ring) => {
        retired = ring.keys.find((key) => key.kid === kid)
        return withRetired(ring, kid)
      })
      return retired!
    },
  }
}

function unsealKey(plaintext: string, record: StoredKey, algorithm: JwtAlgorithm, where: string): RingKey {
  let signingKey
  try {
    const jwk = JSON.parse(plaintext) as JsonWebKey
    signingKey = jwk.kty === 'oct' ? createSecretKey(Buffer.from(jwk.k ?? '', 'base64url')) : createPrivateKey({ key: jwk, format: 'jwk' })
  } catch (cause) {
    throw new KeyInvalid(`${where}: stored key "${record.kid}" cannot be loaded`, { cause })
  }
  const verifyKey = signingKey.type === 'secret' ? signingKey : createPublicKey(signingKey)
  checkKeyFitsAlgorithm(verifyKey, algorithm, `${where}: stored key "${record.kid}"`)
  return buildRingKeySync({ algorithm, use: record.state === 'active' ? 'sign' : 'verify', signingKey, verifyKey, kid: record.kid })
}

/** A stored key always has its kid, so building it needs no (possibly async) kid function. */
function buildRingKeySync(input: Pick<RingKey, 'algorithm' | 'use' | 'signingKey' | 'verifyKey' | 'kid'>): RingKey {
  const { algorithm, verifyKey, kid } = input
  const publicJwk = verifyKey.type === 'public' ? { ...verifyKey.export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' } : undefined
  return { ...input, publicJwk, x5c: undefined }
}
