import { StoreUnavailable, ioDeadline } from '@polytoken/core'

/**
 * Run a store operation; any failure or a reply slower than timeoutMs is a StoreUnavailable. The deadline counts a
 * reply that arrived while the process was busy past it (start-up compiling modules, a long synchronous job): ioDeadline.
 */
export async function withTimeout<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    const expire = () => reject(new StoreUnavailable(`store did not answer ${operation} within ${timeoutMs} ms`))
    timer = ioDeadline(expire, timeoutMs)
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
