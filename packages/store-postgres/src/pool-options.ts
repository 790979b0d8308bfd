import { ConfigInvalid } from '@polytoken/core'

/** The pool settings a `postgres://` store URL may carry (taken out of the URL before pg sees it). */
export interface PoolOptions {
  /** `?pool_max=`: connections at most. Default 10. */
  max: number
  /** `?statement_timeout_ms=`: PostgreSQL cancels a statement running longer, which frees its connection. Default: none. */
  statementTimeoutMs?: number
  /** `?pool_acquire_timeout_ms=`: how long a query waits for a free connection (or a new one) before failing. Default the store timeout. */
  acquireTimeoutMs?: number
}

const PARAMS = { pool_max: 'max', statement_timeout_ms: 'statementTimeoutMs', pool_acquire_timeout_ms: 'acquireTimeoutMs' } as const

/** Reads and removes the pool parameters; `location` (credentials removed) names the URL in errors. */
export function takePoolOptions(url: string, location: string): { url: string; pool: PoolOptions } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigInvalid(`store: "${location}" is not a valid URL`)
  }
  const pool: PoolOptions = { max: 10 }
  let found = false
  for (const [param, field] of Object.entries(PARAMS) as Array<[keyof typeof PARAMS, (typeof PARAMS)[keyof typeof PARAMS]]>) {
    const value = parsed.searchParams.get(param)
    if (value === null) continue
    found = true
    parsed.searchParams.delete(param)
    if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new ConfigInvalid(`store: "${location}" has ?${param}= that is not a positive whole number`)
    pool[field] = Number(value)
  }
  if (pool.max > 1000) throw new ConfigInvalid(`store: "${location}" has ?pool_max= above 1000`)
  return { url: found ? parsed.toString() : url, pool }
}
