import { availableParallelism } from 'node:os'
import { ServerBusy } from '../errors.js'
import { verifyPassword } from './passwords.js'

export interface PasswordHasherOptions {
  /**
   * Password hashes running at once. Default: libuv's thread pool size (UV_THREADPOOL_SIZE, 4 unless set) minus 2, at
   * least 1 and at most the number of CPUs. scrypt runs on that pool, and so do the SQLite driver, DNS look-ups and
   * file I/O: two threads are always left to them.
   */
  concurrency?: number
  /** Checks waiting for a hashing slot; past it the next is refused (503, Retry-After) before it starts. Default 64. */
  maxQueue?: number
  /** Longest wait for a slot, ms; a check that waited longer is refused (503) without hashing. Default 10 000. */
  maxWaitMs?: number
}

export interface PasswordHasher {
  /**
   * Takes a place in the queue now, or throws ServerBusy when there is none: call it first, before spending anything
   * else (a throttle reservation) on a login, so a burst is shed before it costs a hash or a store write.
   */
  admit(): PasswordCheck
  /** admit() and verify at once. */
  verify(password: string, encoded: string): Promise<boolean>
  /** Hashing now, and waiting: for tests and metrics. */
  readonly stats: { readonly running: number; readonly waiting: number; readonly started: number; readonly waitedMs: number; readonly refused: number }
}

/** A place in the queue: run with it once, or cancel it (a no-op once run has started). */
export interface PasswordCheck {
  /**
   * Waits for a hashing slot, then runs `work` in it; `verify` is verifyPassword (a decoy check for an unknown user
   * too). What must happen just before the hash, a throttle reservation, goes in `work` too: so at most `concurrency`
   * reservations per instance are ever in flight. ServerBusy when the wait for a slot is over maxWaitMs.
   */
  run<T>(work: (verify: (password: string, encoded: string) => Promise<boolean>) => Promise<T>): Promise<T>
  cancel(): void
}

interface Waiter {
  start(): void
  timer: NodeJS.Timeout
}

/** The default concurrency for this process; see PasswordHasherOptions.concurrency. */
export function defaultHashConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4
  return Math.max(1, Math.min(availableParallelism(), pool - 2))
}

/**
 * Bounded concurrency for password hashing, so a burst of logins can never occupy every thread of libuv's pool and
 * starve the store behind it. Over the limit, checks queue (honest bursts are served); past the queue, they are shed
 * at once with ServerBusy, before any hash or store write is spent.
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const concurrency = options.concurrency ?? defaultHashConcurrency()
  const maxQueue = options.maxQueue ?? 64
  const maxWaitMs = options.maxWaitMs ?? 10_000
  let running = 0
  // Places taken by admit() whose verify has not started yet.
  let admitted = 0
  const queue: Waiter[] = []
  // Since start, for metrics: checks that got a slot, their total wait for it, and checks refused (queue full or waited too long).
  let started = 0
  let waitedMs = 0
  let refused = 0

  const busy = () => (refused++, new ServerBusy('too many password checks waiting; retry shortly', { headers: { 'Retry-After': '1' } }))

  function acquire(): Promise<void> {
    if (running < concurrency) {
      running++
      started++
      return Promise.resolve()
    }
    const queuedAt = performance.now()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer)
          started++
          waitedMs += performance.now() - queuedAt
          resolve()
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1)
          reject(busy())
        }, maxWaitMs),
      }
      queue.push(waiter)
    })
  }

  function release(): void {
    const next = queue.shift()
    // The slot passes straight to the next waiter: running stays the same.
    if (next) next.start()
    else running--
  }

  async function inSlot<T>(work: () => Promise<T>): Promise<T> {
    await acquire()
    try {
      return await work()
    } finally {
      release()
    }
  }

  function admit(): PasswordCheck {
    if (running + queue.length + admitted >= concurrency + maxQueue) throw busy()
    admitted++
    let open = true
    const close = () => {
      if (open) admitted--
      open = false
    }
    return {
      run(work) {
        close()
        return inSlot(() => work(verifyPassword))
      },
      cancel: close,
    }
  }

  return {
    admit,
    verify: async (password, encoded) => admit().run((verify) => verify(password, encoded)),
    stats: {
      get running() {
        return running
      },
      get waiting() {
        return queue.length + admitted
      },
      get started() {
        return started
      },
      get waitedMs() {
        return waitedMs
      },
      get refused() {
        return refused
      },
    },
  }
}
