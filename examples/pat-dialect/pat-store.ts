/**
 * Where personal access tokens live in the dialect's store, and the one pattern that keeps "list this user's
 * tokens" cheap: an index record per owner.
 *
 *   pat:<id>          the token's record (owner, note, scopes, dates, the token's fingerprint); never the token
 *   token:<sha-256>   the token's id, found from the token a client sends (fingerprint(), never the token itself)
 *   owner:<login>     the ids of the owner's tokens: the index, changed only by store.update() (a compare-and-set,
 *                     so two creations at once lose neither id)
 *
 * Listing reads the index and then each record: 1 + n reads, whatever the number of other users. store.entries(prefix)
 * would walk the whole namespace on every backend (Redis SCAN walks the whole database), so it is kept for
 * maintenance, never for a request.
 */
import { RequestInvalid, fingerprint, randomString, type Store } from '@polytoken/core'

export interface PatRecord {
  id: string
  owner: string
  note: string
  scopes: string[]
  /** Epoch ms. */
  createdAt: number
  /** Epoch ms; the store drops the record then. */
  expiresAt: number
  /** fingerprint(token): lets a deletion drop the lookup key; the token itself is shown once, at creation. */
  tokenFingerprint: string
}

/** Opaque, recognisable (secret scanners look for the prefix), 256 random bits. */
export const TOKEN_PREFIX = 'pat_'
export const TOKEN_FORMAT = /^pat_[A-Za-z0-9_-]{43}$/

export interface PatStore {
  create(owner: string, fields: { note: string; scopes: string[]; lifetimeMs: number; now: number }): Promise<{ token: string; record: PatRecord }>
  /** The live record a token names, or undefined. */
  findByToken(token: string): Promise<PatRecord | undefined>
  list(owner: string): Promise<PatRecord[]>
  /** The owner's token with this id, deleted; undefined when the owner has none by that id (someone else's is not theirs). */
  delete(owner: string, id: string): Promise<PatRecord | undefined>
  /**
   * Drop from every owner's index the ids of tokens the store has expired (list() does it for one owner as it passes;
   * an owner who never lists keeps them). Returns how many ids went. Maintenance: it walks
   * the whole namespace (`polytoken purge`).
   */
  purgeIndex(): Promise<number>
}

export function createPatStore(store: Store, maxPerOwner: number): PatStore {
  const ownerKey = (owner: string) => `owner:${owner}`
  return {
    async create(owner, { note, scopes, lifetimeMs, now }) {
      const token = TOKEN_PREFIX + randomString(32)
      const record: PatRecord = { id: randomString(12), owner, note, scopes, createdAt: now, expiresAt: now + lifetimeMs, tokenFingerprint: fingerprint(token) }
      // The index first, bounded: a refusal here writes nothing. An id whose record never lands is pruned by list().
      await store.update<string[]>(ownerKey(owner), (ids = []) => {
        if (ids.length >= maxPerOwner) throw new RequestInvalid(`at most ${maxPerOwner} tokens per user: delete one first`, { location: 'body', reasons: { tokens: ['too many'] } })
        return [...ids, record.id]
      })
      await store.set(`pat:${record.id}`, record, lifetimeMs)
      await store.set(`token:${record.tokenFingerprint}`, record.id, lifetimeMs)
      return { token, record }
    },
    async findByToken(token) {
      const id = await store.get<string>(`token:${fingerprint(token)}`)
      return id === undefined ? undefined : store.get<PatRecord>(`pat:${id}`)
    },
    async list(owner) {
      const ids = (await store.get<string[]>(ownerKey(owner))) ?? []
      const records = await Promise.all(ids.map((id) => store.get<PatRecord>(`pat:${id}`)))
      const live = records.filter((record): record is PatRecord => record !== undefined && record.owner === owner)
      // Expired tokens left the store by their TTL: drop their ids from the index as we pass.
      if (live.length < ids.length) {
        const gone = new Set(ids.filter((id) => !live.some((record) => record.id === id)))
        await store.update<string[]>(ownerKey(owner), (current = []) => current.filter((id) => !gone.has(id)))
      }
      return live
    },
    async purgeIndex() {
      let purged = 0
      const owners: string[] = []
      for await (const [key] of store.entries<string[]>('owner:')) owners.push(key)
      for (const key of owners) {
        let gone = 0
        // update(): a token created meanwhile keeps its id (the compare-and-set runs the change again on the new list).
        await store.update<string[]>(key, async (ids = []) => {
          const live = await Promise.all(ids.map(async (id) => (await store.get(`pat:${id}`)) !== undefined))
          const kept = ids.filter((_, index) => live[index])
          gone = ids.length - kept.length
          return gone === 0 ? undefined : kept
        })
        // An emptied index stays ([]): deleting it could drop the id of a token created in between.
        purged += gone
      }
      return purged
    },
    async delete(owner, id) {
      const record = await store.get<PatRecord>(`pat:${id}`)
      if (!record || record.owner !== owner) return undefined
      // The lookup key first: from here no instance finds the token in the store.
      await store.delete(`token:${record.tokenFingerprint}`)
      await store.delete(`pat:${id}`)
      await store.update<string[]>(ownerKey(owner), (ids = []) => ids.filter((other) => other !== id))
      return record
    },
  }
}
