/**
 * What dialects may ask of storage. Keys are plain strings inside the
 * dialect's namespace; values are JSON-serialisable; times in milliseconds.
 * Every method fails with StoreUnavailable (503) when the backend errors or
 * does not answer within the backend's timeout — never hangs, never throws
 * anything else.
 */
export interface Store {
  readonly namespace: string
  get<T>(key: string): Promise<T | undefined>
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>
  /** Write only if the key is absent; true when this call wrote it. */
  add<T>(key: string, value: T, ttlMs?: number): Promise<boolean>
  /** Read and delete in one step: of concurrent callers, exactly one gets the value. */
  take<T>(key: string): Promise<T | undefined>
  /**
   * Add `by` (default 1; negative takes away) to a counter that expires ttlMs
   * after it was created; returns the new count. The count never goes below
   * 0; a missing or expired counter starts at max(0, by) in a new window.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<number>
  /** Every live entry of this namespace whose key starts with prefix. */
  entries<T>(prefix?: string): AsyncIterable<[string, T]>
}

export interface StoreBackend {
  /** `memory`, `sqlite`, ...: shown by /healthz. */
  readonly kind: string
  /** The dialect-scoped view; the same name always returns the same Store. */
  namespace(name: string): Store
  /** Resolves when the backend answers; rejects with StoreUnavailable otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}
