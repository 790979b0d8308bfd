import { StoreUnavailable, isPolytokenError, type Logger } from '@polytoken/core'

/** How polytoken() starts when the store is slow or not up yet. */
export interface StartupOptions {
  /**
   * `'wait'` (default): polytoken() resolves once the store answered and every dialect is set up, and rejects when
   * start-up gives up. `'background'`: it resolves at once with a router that answers /livez, /readyz (503 until
   * set up) and /healthz, and 503 in each dialect's envelope on its routes; `router.ready` settles when start-up is over.
   */
  mode?: 'wait' | 'background'
  /** Stop retrying a store that does not answer this long after start-up began. Default 60 000 ms. */
  retryForMs?: number
  /** Stop after this many attempts (the first included). Default: no limit but retryForMs. */
  maxAttempts?: number
  /** The wait before the second attempt; it doubles each time, up to maxDelayMs. Default 200 ms. */
  initialDelayMs?: number
  /** The longest wait between attempts. Default 5 000 ms. */
  maxDelayMs?: number
}

export type RetrySettings = Required<Omit<StartupOptions, 'mode'>>

export const DEFAULT_STARTUP: RetrySettings = { retryForMs: 60_000, maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 200, maxDelayMs: 5_000 }

/** The settings with their defaults; a nonsensical one is refused at once rather than retried with. */
export function retrySettings(options: StartupOptions = {}): RetrySettings {
  const settings = { ...DEFAULT_STARTUP }
  for (const key of Object.keys(DEFAULT_STARTUP) as Array<keyof RetrySettings>) {
    const value = options[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || Number.isNaN(value) || value < (key === 'maxAttempts' ? 1 : 0)) {
      throw new TypeError(`startup.${key}: expected a number of at least ${key === 'maxAttempts' ? 1 : 0}, got ${String(value)}`)
    }
    settings[key] = value
  }
  return settings
}

/**
 * The wait before attempt `attempt + 1`: exponential, capped, with "equal jitter" (between half and all of it), so
 * a fleet that lost its store at once does not come back at it in step.
 */
export function backoffDelay(attempt: number, settings: RetrySettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

/** Only a store that did not answer is worth another try: a bad key or configuration fails the same way every time. */
export const isRetryable = (error: unknown): boolean => isPolytokenError(error) && error.code === StoreUnavailable.code

export interface RetryEnvironment {
  logger: Logger
  /** Aborted: no further attempt; the run rejects with the signal's reason. */
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
}

/**
 * Run `attempt` until it succeeds, retrying store outages with backoff within the bounds. Gives up with a
 * StoreUnavailable that says how long it tried and what the store last answered (store errors never carry
 * credentials: the drivers remove them).
 */
export async function retryStartup<T>(attempt: () => Promise<T>, settings: RetrySettings, environment: RetryEnvironment): Promise<T> {
  const { logger, signal, now = Date.now, sleep = abortableSleep, random = Math.random } = environment
  const started = now()
  for (let count = 1; ; count++) {
    signal?.throwIfAborted()
    try {
      return await attempt()
    } catch (error) {
      if (!isRetryable(error)) throw error
      signal?.throwIfAborted()
      const delay = backoffDelay(count, settings, random)
      const elapsed = now() - started
      if (count >= settings.maxAttempts || elapsed + delay > settings.retryForMs) {
        const message = `start-up gave up: the store did not answer in ${count} attempt${count === 1 ? '' : 's'} over ${elapsed} ms (startup.retryForMs ${settings.retryForMs}, startup.maxAttempts ${Number.isFinite(settings.maxAttempts) ? settings.maxAttempts : 'unlimited'}); last: ${(error as Error).message}`
        throw new StoreUnavailable(message, { cause: error })
      }
      logger.warn({ attempt: count, retryInMs: delay, error: (error as Error).message }, 'store not ready at start-up; retrying')
      await sleep(delay, signal)
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', aborted)
      resolve()
    }
    function aborted() {
      clearTimeout(timer)
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'))
    }
    signal?.addEventListener('abort', aborted, { once: true })
  })
}
