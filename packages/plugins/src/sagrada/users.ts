import { createHash } from 'node:crypto'
import { StoreUnavailable, type Clock, type Store } from '@polytoken/core'
import { sagradaUnauthorized } from './envelope.js'
import { checkAfterUpdate, checkFirstLogin, planKeyUpdates } from './key-change-rules.js'
import type { ResolvedNode, ResolvedService } from './options.js'
import { createNodeTable, seatsKey, type NodeTable } from './node-table.js'

/** One user of one service: what the original keeps in its `users` table. */
export interface UserRecord {
  uid: number
  node: string
  generation: number
  keysChangedAt: number
  clientState: string
  /**
   * Records written before retired client states got keys of their own kept
   * the last 64 here; still honoured when read. New records leave it out.
   */
  oldClientStates?: string[]
  createdAt: number
}

export interface LoginClaims {
  email: string
  generation: number
  keysChangedAt: number
  clientState: string
}

/** Counters live "forever": the store's increment needs a ttl, this one outlives any deployment. */
const FOREVER_MS = 100 * 365 * 24 * 60 * 60 * 1000
const MAX_UID_PROBES = 1000
/** A crashed creator's claim lapses after this; waiting callers give up (503) sooner. */
const CREATION_CLAIM_MS = 10_000
const CREATION_WAIT_MS = 3_000
const CREATION_POLL_MS = 20

/**
 * Users, uids and node assignments, all in the store so every instance
 * agrees: one record per (service, email); uids are claimed with store.add,
 * so two instances never hand out one uid; node seats are counted with
 * store.increment, so a node never takes more users than its capacity.
 */
export function createUsers(store: Store, nodes: Map<string, ResolvedNode>, clock: Clock, table: NodeTable = createNodeTable(store, nodes, undefined, clock)) {
  const userKey = (service: ResolvedService, email: string) => `user:${service.name}:${createHash('sha256').update(email, 'utf8').digest('base64url')}`

  async function claimUid(service: ResolvedService): Promise<number> {
    const hint = (await store.get<number>('uid:next')) ?? 1
    for (let candidate = Math.max(1, hint), probes = 0; probes < MAX_UID_PROBES; candidate++, probes++) {
      if (await store.add(`uid:${candidate}`, { service: service.name, at: clock() })) {
        await store.set('uid:next', candidate + 1)
        return candidate
      }
    }
    throw new StoreUnavailable('could not allocate a uid')
  }

  /**
   * The least-loaded node (by seats / capacity) that still has a seat, the seat taken atomically; undefined when none
   * has. The nodes are read from the store (node-table.ts) for every allocation, so a node added, drained or resized
   * by `polytoken sagrada nodes` counts from the next new user on, on every instance. Drained nodes, nodes this
   * instance has no secrets for and `except` are passed over.
   */
  async function assignNode(service: ResolvedService, except?: string): Promise<string | undefined> {
    const candidates = (await table.read(service)).filter((node) => !node.drained && node.secrets !== undefined && node.url !== except && node.capacity > 0)
    const loads = await Promise.all(
      candidates.map(async (node) => {
        const used = (await store.get<number>(`load:${service.name}:${node.url}`)) ?? 0
        return { node, ratio: used / node.capacity }
      }),
    )
    loads.sort((a, b) => a.ratio - b.ratio)
    for (const { node } of loads) {
      const seat = await store.increment(seatsKey(service, node.url), FOREVER_MS)
      // The load hint steers the next choice; the seat counter is the authority.
      await store.set(`load:${service.name}:${node.url}`, seat)
      if (seat <= node.capacity) return node.url
      // Given back: a full node's counter stays at its real load, so a capacity raised later counts from there.
      await releaseSeat(service, node.url)
    }
    return undefined
  }

  const releaseSeat = (service: ResolvedService, url: string) => store.increment(seatsKey(service, url), FOREVER_MS, -1)

  /** A user whose node is drained or no longer serves the service moves at a key change, when a new uid starts empty anyway. */
  async function mustMove(service: ResolvedService, url: string): Promise<boolean> {
    const node = (await table.read(service)).find((n) => n.url === url)
    return node === undefined || node.drained || node.secrets === undefined
  }

  async function create(service: ResolvedService, login: LoginClaims): Promise<UserRecord> {
    // The seat first: a full service must not burn uids.
    const assigned = await assignNode(service)
    if (assigned === undefined) throw new StoreUnavailable('no node has capacity for a new user')
    return {
      uid: await claimUid(service),
      node: assigned,
      generation: login.generation,
      keysChangedAt: login.keysChangedAt,
      clientState: login.clientState,
      createdAt: clock(),
    }
  }

  /**
   * Every client state a user moved away from has a key of its own, kept
   * without expiry: going back to any of them is refused however many
   * changes ago it was (the original keeps every old row; a list capped at 64
   * would let the 65th-oldest back in).
   */
  const retiredKey = (key: string, clientState: string) => `retired-state:${key}:${clientState}`

  async function isRetired(key: string, user: UserRecord, clientState: string): Promise<boolean> {
    if (user.oldClientStates?.includes(clientState)) return true
    return (await store.get(retiredKey(key, clientState))) !== undefined
  }

  /**
   * Concurrent first logins of one user (two devices, two instances): one
   * caller claims the creation with store.add and allocates; the others wait
   * for its record instead of taking seats and uids of their own.
   */
  async function createOnce(service: ResolvedService, key: string, login: LoginClaims): Promise<{ user: UserRecord; created: boolean }> {
    if (await store.add(`creating:${key}`, 1, CREATION_CLAIM_MS)) {
      try {
        // Between our read and our claim another caller may have finished.
        const existing = await store.get<UserRecord>(key)
        if (existing) return { user: existing, created: false }
        const fresh = await create(service, login)
        if (await store.add(key, fresh)) return { user: fresh, created: true }
        return { user: (await store.get<UserRecord>(key))!, created: false }
      } finally {
        await store.delete(`creating:${key}`).catch(() => undefined)
      }
    }
    for (let waited = 0; waited < CREATION_WAIT_MS; waited += CREATION_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, CREATION_POLL_MS))
      const user = await store.get<UserRecord>(key)
      if (user) return { user, created: false }
    }
    throw new StoreUnavailable('user creation is still in progress elsewhere')
  }

  return {
    /** The record of one user of one service, for `polytoken sagrada user`; undefined when they never logged in. */
    find: (service: ResolvedService, email: string) => store.get<UserRecord>(userKey(service, email)),
    /**
     * The token server's rules (key-change-rules.ts): find or allocate the
     * user, then apply the login to the record as one compare-and-set
     * (store.update), so concurrent logins on any instance are applied one
     * after the other, each to the record the previous one left: a newer
     * generation or keysChangedAt is recorded, a new client state moves the
     * user to a new uid on the same node and retires the old state for good.
     */
    async login(service: ResolvedService, login: LoginClaims, allowNewUsers: boolean): Promise<UserRecord> {
      const key = userKey(service, login.email)
      if ((await store.get<UserRecord>(key)) === undefined) {
        if (!allowNewUsers) throw sagradaUnauthorized('new-users-disabled', 'New users are disabled')
        checkFirstLogin(login)
        const outcome = await createOnce(service, key, login)
        if (outcome.created) return outcome.user
      }
      // A seat taken on another node for a user moving off a drained one: kept across compare-and-set reruns.
      let moveTo: string | undefined
      let movedFrom: string | undefined
      const user = await store.update<UserRecord>(key, async (current) => {
        // Records are never deleted; one missing here means the store lost it.
        if (!current) throw new StoreUnavailable('user record vanished')
        const changesState = login.clientState !== current.clientState && login.clientState !== ''
        const updates = planKeyUpdates(current, login, changesState && (await isRetired(key, current, login.clientState)))
        if (Object.keys(updates).length === 0) return undefined
        const next: UserRecord = { ...current, ...updates }
        if (updates.clientState !== undefined) {
          // Retired before the record moves on, so no reader ever sees the new state without
          // the old one retired. Should this write lose its race, the mark is still right:
          // a state stays current while marked, and is refused once left.
          if (current.clientState) await store.set(retiredKey(key, current.clientState), true)
          next.uid = await claimUid(service)
          next.createdAt = clock()
          if (await mustMove(service, current.node)) {
            // Nowhere else to go: the user stays (drained means no new users, not eviction).
            moveTo ??= await assignNode(service, current.node)
            if (moveTo !== undefined) {
              next.node = moveTo
              movedFrom = current.node
            }
          }
        }
        return next
      })
      // One seat of the two goes back: the old node's when the move was written, else the one taken for it.
      if (moveTo !== undefined && user!.node !== moveTo) await releaseSeat(service, moveTo)
      else if (moveTo !== undefined && movedFrom !== undefined) await releaseSeat(service, movedFrom)
      checkAfterUpdate(user!, login)
      return user!
    },
  }
}

export type Users = ReturnType<typeof createUsers>
