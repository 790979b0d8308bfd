import { StoreUnavailable } from '../errors.js'

/**
 * Run a store operation; any failure or a reply slower than timeoutMs is a
 * StoreUnavailable. timeoutMs Infinity (the in-process memory store, which
 * has nothing to wait for) sets no timer: a timer and a race per operation
 * were a measurable share of a refresh grant's CPU.
 */
export async function withTimeout<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  if (timeoutMs === Infinity) {
    try {
      return await work()
    } catch (error) {
      throw error instanceof StoreUnavailable ? error : new StoreUnavailable(`store failed on ${operation}`, { cause: error })
    }
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailable(`store did not answer ${operation} within ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  try {
    return await Promise.race([work(), timeout])
  } catch (error) {
    if (error instanceof StoreUnavailable) throw error
    throw new StoreUnavailable(`store failed on ${operation}`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}
