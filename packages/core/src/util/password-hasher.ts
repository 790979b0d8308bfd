import { availableParallelism } from 'node:os'
import { ServerBusy } from '../errors.js'
import { verifyPassword } from './passwords.js'

export interface PasswordHasherOptions {
  /**
   * Password hashes running at once. Default: libuv's thread pool size
   * (UV_THREADPOOL_SIZE, 4 unless set) minus 2, at least 1 and at most the
   * number of CPUs. scrypt runs on that pool, and so do the SQLite driver,
   * DNS look-ups and file I/O: two threads are always left to them.
   */
  concurrency?: number
  /** Checks waiting for a hashing slot; past it the next is refused (503, Retry-After) before it starts. Default 64. */
  maxQueue?: number
  /** Longest wait for a slot, ms; a check that waited longer is refused (503) without hashing. Default 10 000. */
  maxWaitMs?: number
}

export interface PasswordHasher {
  /** Throws ServerBusy when the queue is full now: call before spending anything else (a throttle reservation) on a check. */
  admit(): void
  /** verifyPassword in a hashing slot (a decoy check for an unknown user too). ServerBusy when the queue is full or the wait for a slot is over maxWaitMs. */
  verify(password: string, encoded: string): Promise<boolean>
  /** Hashing now, and waiting: for tests and metrics. */
  readonly stats: { readonly running: number; readonly waiting: number }
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
 * Bounded concurrency for password hashing, so a burst of logins can never
 * occupy every thread of libuv's pool and starve the store behind it. Over
 * the limit, checks queue (honest bursts are served); past the queue, they
 * are shed at once with ServerBusy, before any hash or store write is spent.
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const concurrency = options.concurrency ?? defaultHashConcurrency()
  const maxQueue = options.maxQueue ?? 64
  const maxWaitMs = options.maxWaitMs ?? 10_000
  let running = 0
  const queue: Waiter[] = []

  const busy = () => new ServerBusy('too many password checks waiting; retry shortly', { headers: { 'Retry-After': '1' } })

  function acquire(): Promise<void> {
    if (running < concurrency) {
      running++
      return Promise.resolve()
    }
    if (queue.length >= maxQueue) return Promise.reject(busy())
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer)
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

  return {
    admit() {
      if (running >= concurrency && queue.length >= maxQueue) throw busy()
    },
    verify: (password, encoded) => inSlot(() => verifyPassword(password, encoded)),
    stats: {
      get running() {
        return running
      },
      get waiting() {
        return queue.length
      },
    },
  }
}
