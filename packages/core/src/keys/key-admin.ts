import type { JwtAlgorithm, OpenedKeyRing } from './keyring.js'
import { KeyRotationRefused } from './key-rotation-refused.js'
import type { StoredKey } from './stored-ring.js'

/**
 * `configured`: from the configuration, never rotated by the CLI. The others are generated keys kept in the store:
 * `next` (published and accepted, not signing yet), `active` (signs), `previous` (verify-only, until retired).
 */
export type KeyState = 'configured' | 'next' | 'active' | 'previous'

/** One key as an operator sees it: never any key material. */
export interface KeyInfo {
  readonly kid: string
  readonly algorithm: JwtAlgorithm
  readonly state: KeyState
  /** For configured keys: `sign` or `verify`. */
  readonly use: 'sign' | 'verify'
  /** Epoch ms the key was generated; undefined for configured keys. */
  readonly createdAt: number | undefined
  /** Epoch ms of its last state change; undefined for configured keys. */
  readonly changedAt: number | undefined
}

/** What `polytoken keys` does to one dialect's key ring (runtime.keyRings()). */
export interface KeyRingAdmin {
  readonly dialect: string
  readonly name: string
  readonly algorithm: JwtAlgorithm
  /** How often every instance re-reads the ring (the runtime's keyRefreshMs): the wait between generate and promote. */
  readonly refreshMs: number
  /** False when the ring signs with a configured key: generate, promote and retire refuse it. */
  readonly rotatable: boolean
  /** Every key, read fresh from the store: active first. */
  list(): Promise<KeyInfo[]>
  /** Generate a key as `next`. Refused while another key is `next`. */
  generate(): Promise<KeyInfo>
  /**
   * Make a key the signing key; the former active key becomes `previous`. A `next` key younger than the key refresh
   * interval is refused unless `force`: an instance that has not re-read the ring would refuse its tokens.
   */
  promote(kid: string, options?: { force?: boolean }): Promise<KeyInfo>
  /** Remove a key that is not active; every instance drops it within the refresh interval. */
  retire(kid: string): Promise<KeyInfo>
}

export function createKeyRingAdmin(dialect: string, opened: OpenedKeyRing, refreshMs: number): KeyRingAdmin {
  const { ring, stored } = opened
  const where = `${dialect} ring "${ring.name}"`
  const configuredInfo = (): KeyInfo[] => opened.configured.map((key) => ({ kid: key.kid, algorithm: key.algorithm, state: 'configured', use: key.use, createdAt: undefined, changedAt: undefined }))
  const rotatable = () => {
    if (!stored) throw new KeyRotationRefused(`${where} signs with a key from the configuration (${opened.options.path ?? 'keys'}): change the configuration to rotate it`)
    return stored
  }
  const info = (record: StoredKey): KeyInfo => ({
    kid: record.kid,
    algorithm: ring.algorithm,
    state: record.state,
    use: record.state === 'active' ? 'sign' : 'verify',
    createdAt: record.createdAt,
    changedAt: record.changedAt,
  })
  return {
    dialect,
    name: ring.name,
    algorithm: ring.algorithm,
    refreshMs,
    rotatable: stored !== undefined,
    async list() {
      if (stored) await stored.refresh()
      return [...(stored?.current.map((loaded) => info(loaded.record)) ?? []), ...configuredInfo()]
    },
    generate: async () => info(await rotatable().generate()),
    promote: async (kid, options = {}) => info(await rotatable().promote(kid, { minAgeMs: refreshMs, force: options.force ?? false })),
    retire: async (kid) => info(await rotatable().retire(kid)),
  }
}
