import { StoreUnavailable } from '@polytoken/core'

/**
 * Run a store operation; any failure or a reply slower than timeoutMs is a StoreUnavailable.
 *
 * When the timer fires, the verdict waits for the end of that turn of the event loop (setImmediate runs after the
 * I/O poll): after the process was busy for longer than timeoutMs (start-up compiling modules, a long synchronous
 * job), timers run before the loop reads its sockets, and a reply that arrived in the meantime would otherwise be
 * reported as a store that did not answer.
 */
export async function withTimeout<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    const expire = () => reject(new StoreUnavailable(`store did not answer ${operation} within ${timeoutMs} ms`))
    timer = setTimeout(() => setImmediate(expire), timeoutMs)
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
