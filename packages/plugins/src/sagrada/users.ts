import { createHash } from 'node:crypto'
import { StoreUnavailable, type Clock, type Store } from '@polytoken/core'
import { SagradaUnauthorized } from './envelope.js'
import type { ResolvedNode, ResolvedService } from './options.js'

/** One user of one service: what the original keeps in its `users` table. */
export interface UserRecord {
  uid: number
  node: string
  generation: number
  keysChangedAt: number
  clientState: string
  /** Client states this user has moved away from: going back to one is refused. */
  oldClientStates: string[]
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
export function createUsers(store: Store, nodes: Map<string, ResolvedNode>, clock: Clock) {
  const userKey = (service: ResolvedService, email: string) => `user:${service.name}:${createHash('sha256').update(email, 'utf8').digest('base64url')}`

  async function claimUid(service: ResolvedService, email: string): Promise<number> {
    const hint = (await store.get<number>('uid:next')) ?? 1
    for (let candidate = Math.max(1, hint), probes = 0; probes < MAX_UID_PROBES; candidate++, probes++) {
      if (await store.add(`uid:${candidate}`, { service: service.name, at: clock() })) {
        await store.set('uid:next', candidate + 1)
        return candidate
      }
    }
    throw new StoreUnavailable('could not allocate a uid')
  }

  /** The least-loaded node (by seats / capacity) that still has a seat; the seat is taken atomically. */
  async function assignNode(service: ResolvedService): Promise<string> {
    const loads = await Promise.all(
      service.nodes.map(async (url) => {
        const node = nodes.get(url)!
        const used = (await store.get<number>(`load:${service.name}:${url}`)) ?? 0
        return { node, ratio: used / node.capacity }
      }),
    )
    loads.sort((a, b) => a.ratio - b.ratio)
    for (const { node } of loads) {
      const seat = await store.increment(`seats:${service.name}:${node.url}`, FOREVER_MS)
      // The load hint steers the next choice; the seat counter is the authority.
      await store.set(`load:${service.name}:${node.url}`, seat)
      if (seat <= node.capacity) return node.url
    }
    throw new StoreUnavailable('no node has capacity for a new user')
  }

  async function create(service: ResolvedService, login: LoginClaims, node?: string, old: string[] = []): Promise<UserRecord> {
    // The seat first: a full service must not burn uids.
    const assigned = node ?? (await assignNode(service))
    return {
      uid: await claimUid(service, login.email),
      node: assigned,
      generation: login.generation,
      keysChangedAt: login.keysChangedAt,
      clientState: login.clientState,
      oldClientStates: old,
      createdAt: clock(),
    }
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
    /**
     * The token server's rules: find or allocate the user; a newer generation
     * is recorded; a new client state moves the user to a new uid on the same
     * node; an old or absent one after a known one is invalid-client-state; a
     * client behind the recorded generation is invalid-generation.
     */
    async login(service: ResolvedService, login: LoginClaims, allowNewUsers: boolean): Promise<UserRecord> {
      const key = userKey(service, login.email)
      let user = await store.get<UserRecord>(key)
      if (!user) {
        if (!allowNewUsers) throw new SagradaUnauthorized('new-users-disabled', 'New users are disabled')
        const outcome = await createOnce(service, key, login)
        if (outcome.created) return outcome.user
        user = outcome.user
      }
      let changed = false
      let next: UserRecord = { ...user }
      if (login.generation > user.generation) {
        next.generation = login.generation
        changed = true
      }
      if (login.keysChangedAt > user.keysChangedAt) {
        next.keysChangedAt = login.keysChangedAt
        changed = true
      }
      if (login.clientState !== user.clientState) {
        if (!login.clientState) throw new SagradaUnauthorized('invalid-client-state', 'Unacceptable client-state value')
        if (user.oldClientStates.includes(login.clientState)) throw new SagradaUnauthorized('invalid-client-state', 'Unacceptable client-state value')
        // Once the IdP sends generations (or keysChangedAt), the client state changes only along with one of them.
        const advanced = login.generation > user.generation || login.keysChangedAt > user.keysChangedAt
        if ((user.generation > 0 || user.keysChangedAt > 0) && !advanced) {
          throw new SagradaUnauthorized('invalid-client-state', 'Unacceptable client-state value')
        }
        const old = user.clientState ? [...user.oldClientStates, user.clientState] : [...user.oldClientStates]
        next = await create(service, { ...login, generation: next.generation, keysChangedAt: next.keysChangedAt }, user.node, old.slice(-64))
        changed = true
      }
      if (user.generation > login.generation) throw new SagradaUnauthorized('invalid-generation', 'Unacceptable generation number')
      // A keysChangedAt of 0 means the client did not say; one that goes backwards is a stale client.
      if (login.keysChangedAt > 0 && login.keysChangedAt < user.keysChangedAt) {
        throw new SagradaUnauthorized('invalid-keysChangedAt', 'Unacceptable keysChangedAt value')
      }
      if (changed) await store.set(key, next)
      return next
    },
  }
}

export type Users = ReturnType<typeof createUsers>
