import { Keyv } from 'keyv'
import KeyvPostgres from '@keyv/postgres'
import pg, { type Pool } from 'pg'
import { parseCounter, type AtomicOps, type KeyvDriver } from '@polytoken/store-keyv'
import type { Logger } from '@polytoken/core'
import { redactCredentials } from '@polytoken/store-keyv'
import type { PoolOptions } from './pool-options.js'

export interface PostgresDriverOptions {
  /** postgres:// or postgresql:// URL. */
  url: string
  /** keyv's table and schema; defaults `keyv` and `public`, as @keyv/postgres. */
  table?: string
  schema?: string
  timeoutMs: number
  logger: Logger
  location: string
  /** How often expired rows are deleted (keyv only drops them when read). Default 60 s; 0 turns it off. */
  sweepIntervalMs?: number
  /** Pool size, statement and acquire timeouts (from the URL's `?pool_max=`, `?statement_timeout_ms=`, `?pool_acquire_timeout_ms=`). */
  pool?: PoolOptions
}

const PAGE = 100
const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`

/**
 * The SQL of the atomic operations on keyv's table (key VARCHAR PRIMARY KEY,
 * value TEXT holding keyv's JSON record). Each is a single statement, so the
 * row lock PostgreSQL takes makes it atomic across every connection.
 */
export function postgresAtomicOps(query: (sql: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>, table: string): AtomicOps {
  const expires = `(t.value::jsonb->>'expires')::numeric`
  const addSql = `INSERT INTO ${table} AS t (key, value) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${expires} < $3
    RETURNING key`
  const takeSql = `DELETE FROM ${table} WHERE key = $1 RETURNING value`
  const incrementSql = `INSERT INTO ${table} AS t (key, value) VALUES ($1, '{"value":' || GREATEST(0, $4::bigint) || ',"expires":' || ($2::numeric + $3::numeric) || '}')
    ON CONFLICT (key) DO UPDATE SET value = CASE
      WHEN jsonb_typeof(t.value::jsonb->'value') = 'number' AND (t.value::jsonb->>'value') ~ '^[0-9]+$' AND ${expires} >= $2::numeric
      THEN '{"value":' || GREATEST(0, (t.value::jsonb->>'value')::bigint + $4::bigint) || ',"expires":' || (t.value::jsonb->>'expires') || '}'
      ELSE excluded.value END
    RETURNING value`
  const readSql = `SELECT value FROM ${table} WHERE key = $1`
  const replaceSql = `UPDATE ${table} SET value = $1 WHERE key = $2 AND value = $3 RETURNING key`
  return {
    async add(key, record, _ttlMs, now) {
      return (await query(addSql, [key, record, now])).length === 1
    },
    async take(key) {
      const rows = await query(takeSql, [key])
      return rows.length === 0 ? undefined : String(rows[0]!.value)
    },
    async increment(key, ttlMs, now, by) {
      const rows = await query(incrementSql, [key, now, ttlMs, by])
      return parseCounter(String(rows[0]!.value))
    },
    async read(key) {
      const rows = await query(readSql, [key])
      return rows.length === 0 ? undefined : String(rows[0]!.value)
    },
    async replace(key, expected, record) {
      return (await query(replaceSql, [record, key, expected])).length === 1
    },
  }
}

/**
 * PostgreSQL through @keyv/postgres (loaded with this package, which createStore imports only for a PostgreSQL URL), on a pg Pool of our
 * own: bounded connect and query times, pool errors logged (unhandled they
 * would end the process), and the same pool for keyv and the atomic SQL.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a bad pool configuration is a rejection, like a failed connection
export async function connectPostgres(options: PostgresDriverOptions): Promise<KeyvDriver> {
  const schema = options.schema ?? 'public'
  const tableName = options.table ?? 'keyv'
  const table = `${quote(schema)}.${quote(tableName)}`
  const settings = options.pool ?? { max: 10 }
  const pool: Pool = new pg.Pool({
    connectionString: options.url,
    // Also the wait for a free connection when all are busy: a waiter is dropped once the caller has had its 503,
    // instead of queueing behind a stuck pool for ever.
    connectionTimeoutMillis: settings.acquireTimeoutMs ?? options.timeoutMs,
    query_timeout: options.timeoutMs + 1_000,
    // Server-side: PostgreSQL cancels the statement, so a connection stuck on a lock comes back to the pool.
    ...(settings.statementTimeoutMs === undefined ? {} : { statement_timeout: settings.statementTimeoutMs }),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    max: settings.max,
  })
  let lastLog = 0
  pool.on('error', (error) => {
    const now = Date.now()
    if (now - lastLog < 10_000) return
    lastLog = now
    options.logger.warn({ at: options.location, error: redactCredentials(String(error?.message ?? error)) }, 'postgres connection error')
  })

  // Created by us (and retried after an outage), not only once by the adapter's constructor.
  let tableReady: Promise<void> | undefined
  const ensureTable = () =>
    (tableReady ??= pool.query(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`).then(
      () => undefined,
      (error: { code?: string }) => {
        if (error?.code === '23505' || error?.code === '42P07') return // created concurrently by another instance
        tableReady = undefined
        throw error
      },
    ))
  const query = async (sql: string, values?: unknown[]) => {
    await ensureTable()
    return (await pool.query(sql, values)).rows as Array<Record<string, unknown>>
  }

  class PooledKeyvPostgres extends KeyvPostgres {
    override connect() {
      return Promise.resolve(query)
    }
    override async disconnect() {
      // The pool is the driver's; it ends in close().
    }
    override async delete(key: string): Promise<boolean> {
      return (await query(`DELETE FROM ${table} WHERE key = $1 RETURNING key`, [key])).length > 0
    }
    // The adapter's iterator ends quietly on an error: a listing would look empty instead of failing.
    override async *iterator(namespace?: string): AsyncGenerator<string[], void, unknown> {
      const pattern = `${namespace ? `${namespace.replace(/[%_\\]/g, '\\$&')}:` : ''}%`
      let last: string | null = null
      for (;;) {
        const rows: Array<Record<string, unknown>> =
          last === null
            ? await query(`SELECT key, value FROM ${table} WHERE key LIKE $1 ORDER BY key LIMIT ${PAGE}`, [pattern])
            : await query(`SELECT key, value FROM ${table} WHERE key LIKE $1 AND key > $2 ORDER BY key LIMIT ${PAGE}`, [pattern, last])
        for (const row of rows) yield [String(row.key), String(row.value)]
        if (rows.length < PAGE) return
        last = String(rows[rows.length - 1]!.key)
      }
    }
  }

  const namespaces = new Set<string>()
  const sweepEvery = options.sweepIntervalMs ?? 60_000
  const sweep =
    sweepEvery > 0
      ? setInterval(() => {
          for (const namespace of namespaces) {
            const pattern = `${namespace.replace(/[%_\\]/g, '\\$&')}:%`
            query(`DELETE FROM ${table} WHERE key LIKE $1 AND (value::jsonb->>'expires')::numeric < $2`, [pattern, Date.now()]).catch(() => undefined)
          }
        }, sweepEvery)
      : undefined
  sweep?.unref()

  const atomic = postgresAtomicOps(query, table)
  return {
    keyv(namespace: string): Keyv {
      namespaces.add(namespace)
      const adapter = new PooledKeyvPostgres({ uri: options.url, table: tableName, schema })
      adapter.query = query
      return new Keyv({ store: adapter, namespace })
    },
    // keyv prefixes `namespace:` unless the key already starts with it.
    fullKey: (namespace, key) => (key.startsWith(`${namespace}:`) ? key : `${namespace}:${key}`),
    atomic: () => atomic,
    async ping() {
      await pool.query('SELECT 1')
    },
    async purgeExpired(keyPrefix) {
      await ensureTable()
      const pattern = `${keyPrefix.replace(/[%_\\]/g, '\\$&')}%`
      // Counted in the server: the deleted keys never travel. A longer read timeout than one operation's: it walks the table.
      const { rows } = await pool.query<{ purged: number }>({
        text: `WITH gone AS (DELETE FROM ${table} WHERE key LIKE $1 AND (value::jsonb->>'expires')::numeric < $2 RETURNING 1) SELECT count(*)::int AS purged FROM gone`,
        values: [pattern, Date.now()],
        query_timeout: Math.max(options.timeoutMs, 60_000),
      } as pg.QueryConfig)
      return rows[0]?.purged ?? 0
    },
    async close() {
      if (sweep) clearInterval(sweep)
      await pool.end().catch(() => undefined)
    },
  }
}
