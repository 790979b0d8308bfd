import { randomBytes } from 'node:crypto'
import type { Store } from '../storage/store.js'
import { hkdfSha256 } from './hkdf.js'

const ROOT_RECORD = 'deployment-secret'

/**
 * Keys for one job each (`label`), derived by HKDF from the deployment's own secret: the master key when one is
 * configured (it never reaches the store), otherwise a random secret that the first instance writes to the store
 * (store.add: every instance then reads the same one). Derived keys are memoised per label.
 */
export function createDeploymentKeys(masterKey: string | undefined, store: Store): (label: string) => Promise<Buffer> {
  let root: Promise<Buffer> | undefined
  const derived = new Map<string, Promise<Buffer>>()

  async function loadRoot(): Promise<Buffer> {
    if (masterKey) return Buffer.from(masterKey, 'utf8')
    const candidate = randomBytes(32).toString('base64url')
    if (await store.add(ROOT_RECORD, candidate)) return Buffer.from(candidate, 'base64url')
    const stored = await store.get<string>(ROOT_RECORD)
    if (typeof stored !== 'string') throw new Error('deployment secret vanished from the store')
    return Buffer.from(stored, 'base64url')
  }

  return (label) => {
    let key = derived.get(label)
    if (!key) {
      root ??= loadRoot().catch((error: unknown) => {
        root = undefined // a store that was down at start may answer later
        throw error
      })
      key = root.then((secret) => hkdfSha256(secret, Buffer.alloc(0), `polytoken/${label}`, 32))
      key.catch(() => derived.delete(label))
      derived.set(label, key)
    }
    return key
  }
}
