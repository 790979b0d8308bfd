import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Keyv } from 'keyv'
import KeyvSqlite from '@keyv/sqlite'
import { parseCounter, type AtomicOps, type KeyvDriver } from '@polytoken/store-keyv'

const PAGE = 100

type SqliteQuery = (sql: string, ...params: unknown[]) => Promise<Array<Record<string, unknown>>>

/**
 * The atomic operations as single SQLite statements (UPSERT and DELETE with
 * RETURNING, SQLite ≥ 3.35): SQLite runs each statement under its write lock,
 * so they hold across connections and processes sharing the file.
 */
export function sqliteAtomicOps(query: SqliteQuery, table: string): AtomicOps {
  const expires = `json_extract(${table}.value, '$.expires')`
  const addSql = `INSERT INTO ${table} (key, value) VALUES (?, ?)
    ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE json_valid(${table}.value) AND ${expires} < ?
    RETURNING key`
  const takeSql = `DELETE FROM ${table} WHERE key = ? RETURNING value`
  const incrementSql = `INSERT INTO ${table} (key, value) VALUES (?, '{"value":' || MAX(0, CAST(? AS INTEGER)) || ',"expires":' || CAST(? AS INTEGER) || '}')
    ON CONFLICT(key) DO UPDATE SET value = CASE
      WHEN json_valid(${table}.value) AND json_type(${table}.value, '$.value') = 'integer' AND json_extract(${table}.value, '$.value') >= 0
        AND json_type(${table}.value, '$.expires') IN ('integer', 'real') AND ${expires} >= ?
      THEN '{"value":' || MAX(0, json_extract(${table}.value, '$.value') + CAST(? AS INTEGER)) || ',"expires":' || CAST(${expires} AS INTEGER) || '}'
      ELSE excluded.value END
    RETURNING value`
  const readSql = `SELECT value FROM ${table} WHERE key = ?`
  const replaceSql = `UPDATE ${table} SET value = ? WHERE key = ? AND value = ? RETURNING key`
  return {
    async add(key, record, _ttlMs, now) {
      return (await query(addSql, key, record, now)).length === 1
    },
    async take(key) {
      const rows = await query(takeSql, key)
      return rows.length === 0 ? undefined : String(rows[0]!.value)
    },
    async increment(key, ttlMs, now, by) {
      const rows = await query(incrementSql, key, by, now + ttlMs, now, by)
      return parseCounter(String(rows[0]!.value))
    },
    async read(key) {
      const rows = await query(readSql, key)
      return rows.length === 0 ? undefined : String(rows[0]!.value)
    },
    async replace(key, expected, record) {
      return (await query(replaceSql, record, key, expected)).length === 1
    },
  }
}

/**
 * Makes a KeyvSqlite fit for polytoken: delete() as one statement (the
 * adapter reads then deletes, so two callers could both be told they deleted)
 * and listing by key instead of OFFSET pages (which skip live rows when keyv
 * drops expired ones during a listing). Call before handing it to new Keyv().
 */
export function hardenSqliteAdapter(adapter: KeyvSqlite): { query: SqliteQuery; table: string } {
  const query = adapter.query as unknown as SqliteQuery
  const table = String(adapter.opts.table)
  // keyv's delete reads then deletes: two callers could both be told they deleted.
  adapter.delete = async (key: string) => (await query(`DELETE FROM ${table} WHERE key = ? RETURNING key`, key)).length > 0
  // keyv's iterator pages by OFFSET while keyv deletes expired rows it meets: live rows would be skipped.
  // Keyset paging by key is immune to deletions. Set before new Keyv(), which binds the iterator.
  adapter.iterator = async function* (ns?: string) {
    const pattern = `${ns ? `${ns.replace(/[%_\\]/g, '\\$&')}:` : ''}%`
    let last: string | undefined
    for (;;) {
      const rows =
        last === undefined
          ? await query(`SELECT key, value FROM ${table} WHERE key LIKE ? ESCAPE '\\' ORDER BY key LIMIT ${PAGE}`, pattern)
          : await query(`SELECT key, value FROM ${table} WHERE key LIKE ? ESCAPE '\\' AND key > ? ORDER BY key LIMIT ${PAGE}`, pattern, last)
      for (const row of rows) yield [String(row.key), String(row.value)]
      if (rows.length < PAGE) return
      last = String(rows[rows.length - 1]!.key)
    }
  }
  return { query, table }
}

/**
 * SQLite through @keyv/sqlite: one connection per namespace, a busy timeout
 * for writers in other processes, and a sweep of expired rows (keyv drops
 * them only when it reads them) every sweepIntervalMs (default 60 s; 0: off).
 */
export function sqliteDriver(path: string, options: { sweepIntervalMs?: number } = {}): KeyvDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const adapters: KeyvSqlite[] = []
  const sweeps: Array<() => Promise<unknown>> = []
  const sweepEvery = options.sweepIntervalMs ?? 60_000
  const sweepAll = () => {
    for (const sweep of sweeps) sweep().catch(() => undefined)
  }
  const timer = sweepEvery > 0 ? setInterval(sweepAll, sweepEvery) : undefined
  timer?.unref()
  return {
    keyv(namespace) {
      const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5000 })
      adapters.push(adapter)
      const { query, table } = hardenSqliteAdapter(adapter)
      const own = `${namespace.replace(/[%_\\]/g, '\\$&')}:%`
      sweeps.push(() => query(`DELETE FROM ${table} WHERE key LIKE ? ESCAPE '\\' AND json_valid(value) AND json_extract(value, '$.expires') < ?`, own, Date.now()))
      return new Keyv({ store: adapter, namespace })
    },
    fullKey: (namespace, key) => (key.startsWith(`${namespace}:`) ? key : `${namespace}:${key}`),
    // In-memory SQLite is one connection per namespace already; the file case is what needs it.
    atomic: (_namespace, keyv) => {
      const adapter = keyv.store as KeyvSqlite
      return sqliteAtomicOps(adapter.query, String(adapter.opts.table))
    },
    async purgeExpired(keyPrefix) {
      // Any namespace's connection reaches the one table; the CLI may purge before a namespace was opened.
      let adapter = adapters[0]
      if (!adapter) adapters.push((adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5000 })))
      const { query, table } = hardenSqliteAdapter(adapter)
      const pattern = `${keyPrefix.replace(/[%_\\]/g, '\\$&')}%`
      const gone = await query(`DELETE FROM ${table} WHERE key LIKE ? ESCAPE '\\' AND json_valid(value) AND json_extract(value, '$.expires') < ? RETURNING 1`, pattern, Date.now())
      return gone.length
    },
    async close() {
      if (timer) clearInterval(timer)
      for (const adapter of adapters) await adapter.disconnect().catch(() => undefined)
    },
  }
}
