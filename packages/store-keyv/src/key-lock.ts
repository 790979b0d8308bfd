/**
 * Serialises read-modify-write sequences on one key inside this process.
 * Backends whose server offers atomic operations use those instead; this is
 * what makes `take`/`add`/`increment` atomic on the in-process backends.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const current = previous.then(work, work)
    const tail = current.catch(() => undefined)
    this.tails.set(key, tail)
    try {
      return await current
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
