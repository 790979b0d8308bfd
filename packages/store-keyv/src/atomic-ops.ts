/**
 * The store operations keyv's API cannot make atomic across processes, done
 * with the backend's own primitive (SET NX, GETDEL, a Lua script, INSERT … ON
 * CONFLICT, DELETE … RETURNING). Keys are the backend's full keys (namespace
 * included, exactly as the keyv adapter writes them); values are keyv's
 * serialized records (`{"value":…,"expires":…}`) so get() reads what these
 * operations wrote and the other way round. Times are epoch milliseconds of
 * the caller's clock, the same clock keyv compares `expires` against.
 */
export interface AtomicOps {
  /** Write `record` unless a live record exists; true when this call wrote it. */
  add(key: string, record: string, ttlMs: number | undefined, now: number): Promise<boolean>
  /** Delete the key and return the record it held (possibly expired: the caller checks). */
  take(key: string): Promise<string | undefined>
  /**
   * Add `by` (an integer, negative allowed) to the counter at key, never
   * below 0; a missing, expired or non-counter record starts a new counter
   * at max(0, by) that expires ttlMs from now. Returns the count.
   */
  increment(key: string, ttlMs: number, now: number, by: number): Promise<number>
  /** The record at key exactly as stored (possibly expired: the caller checks), or undefined. */
  read(key: string): Promise<string | undefined>
  /** Write `record` only if the key still holds exactly `expected`; true when this call wrote it. */
  replace(key: string, expected: string, record: string, ttlMs: number | undefined, now: number): Promise<boolean>
}

/** keyv's serialization of a counter record. */
export function counterRecord(count: number, expires: number): string {
  return `{"value":${count},"expires":${expires}}`
}

/** The count in a counter record written by increment(). */
export function parseCounter(record: string): number {
  const count = (JSON.parse(record) as { value?: unknown }).value
  if (typeof count !== 'number' || !Number.isSafeInteger(count)) throw new Error('counter record holds no count')
  return count
}
