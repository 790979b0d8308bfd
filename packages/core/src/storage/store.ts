/**
 * What dialects may ask of storage. Keys are plain strings inside the dialect's namespace; values are
 * JSON-serialisable; times in milliseconds. Every method fails with StoreUnavailable (503) when the backend errors or
 * does not answer within the backend's timeout — never hangs, never throws anything else.
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
   * Add `by` (default 1; negative takes away) to a counter that expires ttlMs after it was created; returns the new
   * count. The count never goes below 0; a missing or expired counter starts at max(0, by) in a new window.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<number>
  /**
   * Read, change and write one key as one step, across processes: `change` gets the live value (undefined when there
   * is none) and returns the value to write, or undefined to write nothing. When another writer changed the key in
   * between, nothing is written and `change` runs again on the new value (a compare-and-set on the stored record), so
   * no update is lost. `change` may throw to refuse (nothing is written) and may use the store, but must not write
   * this key itself. Returns the value the key now holds.
   */
  update<T>(key: string, change: (current: T | undefined) => T | undefined | Promise<T | undefined>, ttlMs?: number): Promise<T | undefined>
  /**
   * Every live entry of this namespace whose key starts with prefix. On every backend this walks the whole namespace
   * (Redis: SCAN of the database): for maintenance, never per request. To list what one owner has, keep an index
   * record per owner with update() (docs/writing-a-dialect.md, "Listing what one user owns").
   */
  entries<T>(prefix?: string): AsyncIterable<[string, T]>
}

export interface StoreBackend {
  /** `memory`, `sqlite`, ...: shown by /healthz. */
  readonly kind: string
  /** The dialect-scoped view; the same name always returns the same Store. */
  namespace(name: string): Store
  /** Resolves when the backend answers; rejects with StoreUnavailable otherwise. */
  ping(): Promise<void>
  /**
   * Delete every expired record of this backend (all namespaces under its prefix) and return how many went: for
   * backends that keep expired rows until they are read (SQLite, PostgreSQL, memory). Redis expires keys itself (0).
   * The prefix is matched as a prefix: expired rows of a deployment whose prefix begins with this one go too (they
   * read as absent anyway). Maintenance (`polytoken purge`), never per request: it walks the whole table.
   */
  purgeExpired?(): Promise<number>
  close(): Promise<void>
}
