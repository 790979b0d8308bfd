import { setTimeout as sleep } from 'node:timers/promises'
import { RateLimited, type Clock, type Store } from '@polytoken/core'

/** One thing whose failures are counted: a key (already an HMAC: the store never sees what it names) and its limits. */
export interface FailureLimit {
  key: string
  /** Failures per window after which attempts are refused until the window ends. Absent: never refused outright. */
  max?: number
  /**
   * Failures per window after which attempts are spaced out instead: one per
   * delay, the delay doubling with each further failure from slowdown.baseMs
   * up to slowdown.maxMs. Absent: no slowdown.
   */
  slowAfter?: number
}

export interface FailureBudgetOptions {
  /** The counting window, ms: counts start again in each. */
  windowMs: number
  /** First delay past slowAfter, ms. Default 1 000. */
  slowBaseMs?: number
  /** Longest delay, ms. Default 60 000. */
  slowMaxMs?: number
  /**
   * How long a reservation waits for attempts in flight to settle when only
   * they put a key over its max (a parallel burst of correct logins), ms.
   * Default 3 000.
   */
  settleWaitMs?: number
}

/** A reserved attempt: settle it once, by what the check found. */
export interface Attempt {
  /** The credential was right: the reservation is given back, nothing is counted. */
  succeeded(): Promise<void>
  /** The credential was wrong: the reservation stays, a failure. */
  failed(): Promise<void>
  /** The check never ran (shed, store error): given back like a success. */
  abandoned(): Promise<void>
}

export interface FailureBudget {
  /** Throws RateLimited while any key is at its max or inside its slowdown delay; reserves nothing. */
  check(limits: readonly FailureLimit[]): Promise<void>
  /** Reserve one attempt against every key before the expensive check; throws RateLimited as check() does. */
  reserve(limits: readonly FailureLimit[]): Promise<Attempt>
  /**
   * For checks too cheap to reserve for (a constant-time compare), after the
   * check: a pass is refused while a key is at its max; a failure is counted
   * and, past max, refused too. Refused means RateLimited instead of the
   * check's own answer, so a parallel burst learns the outcome of at most max
   * guesses per window, though more compares ran.
   */
  judge(limits: readonly FailureLimit[], passed: boolean): Promise<void>
}

/**
 * Counts failures, not attempts, yet cannot be overshot by a parallel burst.
 * Per key and fixed window the store holds two counters: `fail`, the
 * failures, and `held`, failures plus attempts in flight. A reservation adds
 * 1 to `held` (atomically) before the check runs and is refused when that
 * passes max; a success takes its 1 back, a failure keeps it and adds 1 to
 * `fail`. So at most max checks can ever fail in a window, however many run
 * at once, and correct credentials never use the budget up. When `held` is
 * over max but `fail` is not, the excess is attempts in flight that may yet
 * succeed: the reservation waits briefly for them rather than refusing.
 * Counted in the store, so every instance shares the numbers.
 */
export function createFailureBudget(store: Store, clock: Clock, options: FailureBudgetOptions): FailureBudget {
  const { windowMs } = options
  const slowBaseMs = options.slowBaseMs ?? 1_000
  const slowMaxMs = options.slowMaxMs ?? 60_000
  const settleWaitMs = options.settleWaitMs ?? 3_000

  const windowOf = (now: number) => Math.floor(now / windowMs)
  const failKey = (limit: FailureLimit, window: number) => `fail:${limit.key}:${window}`
  const heldKey = (limit: FailureLimit, window: number) => `held:${limit.key}:${window}`
  // Counters live until their window ends (plus a second, for clocks a little apart).
  const ttlOf = (window: number, now: number) => (window + 1) * windowMs - now + 1_000
  const refused = (limit: FailureLimit) => limit.max !== undefined
  const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

  function limited(ms: number, why: string): RateLimited {
    const seconds = retryAfter(ms)
    return new RateLimited(`${why}; retry after ${seconds} seconds`, { headers: { 'Retry-After': String(seconds) } })
  }

  /** Refuses when a key is at max, or past slowAfter and the current delay's single attempt is taken. */
  async function gate(limits: readonly FailureLimit[], window: number, now: number, slowSlot: 'take' | 'peek' | 'held'): Promise<void> {
    const failures = await Promise.all(limits.map((limit) => store.get<number>(failKey(limit, window))))
    const windowLeft = (window + 1) * windowMs - now
    for (const [index, limit] of limits.entries()) {
      const count = failures[index] ?? 0
      if (limit.max !== undefined && count >= limit.max) throw limited(windowLeft, 'too many attempts')
      if (limit.slowAfter !== undefined && count >= limit.slowAfter && slowSlot !== 'held') {
        const delay = Math.min(slowMaxMs, slowBaseMs * 2 ** Math.min(30, count - limit.slowAfter))
        const slot = `slow:${limit.key}:${window}`
        // One attempt per delay: the first to write the slot goes, the rest wait it out.
        const open = slowSlot === 'take' ? await store.add(slot, 1, delay) : (await store.get(slot)) === undefined
        if (!open) throw limited(delay, 'too many attempts on this account; attempts are slowed down')
      }
    }
  }

  async function heldBack(limits: readonly FailureLimit[], window: number, now: number): Promise<void> {
    await Promise.all(limits.filter(refused).map((limit) => store.increment(heldKey(limit, window), ttlOf(window, now), -1)))
  }

  return {
    async check(limits) {
      const now = clock()
      await gate(limits, windowOf(now), now, 'peek')
    },

    async judge(limits, passed) {
      const now = clock()
      const window = windowOf(now)
      if (passed) return gate(limits, window, now, 'peek')
      const failures = await Promise.all(limits.map((limit) => store.increment(failKey(limit, window), ttlOf(window, now))))
      if (limits.some((limit, index) => limit.max !== undefined && failures[index]! > limit.max)) {
        throw limited((window + 1) * windowMs - now, 'too many attempts')
      }
    },

    async reserve(limits) {
      const started = performance.now()
      let pause = 25
      for (let round = 0; ; round++) {
        const now = clock()
        const window = windowOf(now)
        // A slowed-down key's one attempt is this reservation's from the first round on: it keeps it while waiting.
        await gate(limits, window, now, round === 0 ? 'take' : 'held')
        const counted = limits.filter(refused)
        const held = await Promise.all(counted.map((limit) => store.increment(heldKey(limit, window), ttlOf(window, now))))
        if (counted.every((limit, index) => held[index]! <= limit.max!)) return attempt(limits, window, now)
        await heldBack(limits, window, now)
        // Over max only by attempts in flight: they settle within a hash or two.
        if (performance.now() - started + pause > settleWaitMs) throw limited(1000, 'too many attempts in progress')
        await sleep(pause)
        pause = Math.min(pause * 2, 400)
      }
    },
  }

  function attempt(limits: readonly FailureLimit[], window: number, now: number): Attempt {
    let settled = false
    const once = (settle: () => Promise<unknown>) => async () => {
      if (settled) return
      settled = true
      await settle()
    }
    const giveBack = once(() => heldBack(limits, window, now))
    return {
      succeeded: giveBack,
      abandoned: giveBack,
      failed: once(() => Promise.all(limits.map((limit) => store.increment(failKey(limit, window), ttlOf(window, now))))),
    }
  }
}
