import { StoreUnavailable } from '../errors.js'

/** Run a store operation; any failure or a reply slower than timeoutMs is a StoreUnavailable. */
export async function withTimeout<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
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
