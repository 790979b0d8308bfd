import { Keyv } from 'keyv'
import KeyvRedis from '@keyv/redis'
import { createClient } from '@redis/client'
import type { AtomicOps, KeyvDriver } from '@polytoken/store-keyv'
import type { ConfirmWrite } from './replica-wait.js'
import type { Logger } from '@polytoken/core'
import { redactCredentials } from '@polytoken/store-keyv'

/** The few commands the atomic operations use, typed loosely: @redis/client's generics are heavy. */
export interface RedisCommands {
  set(key: string, value: string, options: Record<string, unknown>): Promise<unknown>
  getDel(key: string): Promise<string | null>
  get(key: string): Promise<string | null>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  ping(): Promise<unknown>
}

export interface RedisDriverOptions {
  /** redis:// or rediss:// URL (ignored when client is given). */
  url?: string
  /** A client of your own (for example the `client` of a KeyvRedis you passed in). It is not closed by close(). */
  client?: unknown
  timeoutMs: number
  logger: Logger
  location: string
}

/** keyv's KeyvRedis writes `namespace::key`. */
const SEPARATOR = '::'

/**
 * Increment as one Lua script, so no other client runs between the read and
 * the write. The record is keyv's ({"value":count,"expires":ms}); the Redis
 * expiry follows `expires`, which never moves once the counter exists.
 */
const INCREMENT = `
local raw = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local by = tonumber(ARGV[3])
if raw then
  local ok, data = pcall(cjson.decode, raw)
  if ok and type(data) == 'table' and type(data.value) == 'number' and type(data.expires) == 'number' and data.expires >= now then
    local count = math.max(0, data.value + by)
    local px = data.expires - now
    if px < 1 then px = 1 end
    redis.call('SET', KEYS[1], string.format('{"value":%d,"expires":%d}', count, data.expires), 'PX', px)
    return count
  end
end
local count = math.max(0, by)
redis.call('SET', KEYS[1], string.format('{"value":%d,"expires":%d}', count, now + ttl), 'PX', ttl)
return count
`

/** Compare-and-set as one Lua script: the record is replaced only if it is still the one the caller read. */
const REPLACE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`

export function redisAtomicOps(client: RedisCommands): AtomicOps {
  return {
    async add(key, record, ttlMs) {
      const options: Record<string, unknown> = { condition: 'NX' }
      if (ttlMs !== undefined) options.expiration = { type: 'PX', value: ttlMs }
      return (await client.set(key, record, options)) === 'OK'
    },
    async take(key) {
      return (await client.getDel(key)) ?? undefined
    },
    async increment(key, ttlMs, now, by) {
      return Number(await client.eval(INCREMENT, { keys: [key], arguments: [String(now), String(ttlMs), String(by)] }))
    },
    async read(key) {
      return (await client.get(key)) ?? undefined
    },
    async replace(key, expected, record, ttlMs) {
      return Number(await client.eval(REPLACE, { keys: [key], arguments: [expected, record, ttlMs === undefined ? '' : String(ttlMs)] })) === 1
    },
  }
}

/**
 * Redis through @keyv/redis (loaded with this package, which createStore imports only for a Redis URL). The client never queues
 * commands while disconnected (they fail at once, so requests get a 503
 * instead of hanging), reconnects forever with a backoff capped at 1 s, and
 * its errors are logged, never thrown at the process.
 */
export async function connectRedis(options: RedisDriverOptions): Promise<KeyvDriver> {
  const own = options.client === undefined
  const client = (options.client ??
    createClient({
      url: options.url,
      disableOfflineQueue: true,
      pingInterval: 5_000,
      socket: {
        connectTimeout: Math.max(options.timeoutMs, 1_000),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
      },
    })) as ReturnType<typeof createClient>
  client.setMaxListeners?.(0)
  client.on('error', throttledWarning(options, 'redis connection error (reconnecting)'))
  if (own || !client.isOpen) await connectForAWhile(() => client.connect(), options)
  const commands = client as unknown as RedisCommands
  return keyvDriverOn(client, {
    atomic: redisAtomicOps(commands),
    ping: async () => void (await commands.ping()),
    close: async () => {
      if (!own) return
      if (client.isReady) await client.close().catch(() => client.destroy())
      else if (client.isOpen) client.destroy()
    },
  })
}

/** Logs a client's errors at most every 10 s, credentials removed. */
export function throttledWarning(options: { logger: Logger; location: string }, message: string): (error: Error) => void {
  let lastLog = 0
  return (error: Error) => {
    const now = Date.now()
    if (now - lastLog < 10_000) return
    lastLog = now
    options.logger.warn({ at: options.location, error: redactCredentials(String(error?.message ?? error)) }, message)
  }
}

/**
 * Starts connecting and waits at most half a timeout: while Redis is away the server still starts, answers 503 for
 * what needs the store, and the client keeps connecting in the background until Redis comes.
 */
export async function connectForAWhile(connect: () => Promise<unknown>, options: { timeoutMs: number; logger: Logger; location: string }): Promise<void> {
  const connecting = connect().catch((error: Error) => {
    options.logger.warn({ at: options.location, error: redactCredentials(String(error?.message ?? error)) }, 'redis connect failed')
  })
  let timer: NodeJS.Timeout | undefined
  await Promise.race([connecting, new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutMs / 2)))])
  clearTimeout(timer)
}

export interface DriverParts {
  atomic: AtomicOps
  ping: () => Promise<void>
  close: () => Promise<void>
  /** Called after keyv's own writes (set, and a delete that deleted), with the full key: see replica-wait.ts. */
  confirm?: ConfirmWrite
}

/** The KeyvDriver on a connected client of any topology (one node, Sentinel, Cluster): @keyv/redis takes all three. */
export function keyvDriverOn(client: unknown, parts: DriverParts): KeyvDriver {
  const { confirm } = parts
  const Adapter = confirm ? confirmedKeyvRedis(confirm) : KeyvRedis
  return {
    keyv(namespace: string): Keyv {
      const adapter = new Adapter(client as ConstructorParameters<typeof KeyvRedis>[0], { namespace, keyPrefixSeparator: SEPARATOR, throwOnErrors: true, throwOnConnectError: true })
      return new Keyv(adapter, { namespace, useKeyPrefix: false })
    },
    fullKey: (namespace, key) => `${namespace}${SEPARATOR}${key}`,
    atomic: () => parts.atomic,
    ping: parts.ping,
    close: parts.close,
  }
}

/** A KeyvRedis whose set and delete return only once the replicas hold the write (a revocation is a set). */
function confirmedKeyvRedis(confirm: ConfirmWrite): typeof KeyvRedis {
  return class ConfirmedKeyvRedis extends KeyvRedis<unknown> {
    override async set(key: string, value: string, ttl?: number): Promise<void> {
      await super.set(key, value, ttl)
      await confirm(this.createKeyPrefix(key, this.namespace))
    }

    override async delete(key: string): Promise<boolean> {
      const deleted = await super.delete(key)
      if (deleted) await confirm(this.createKeyPrefix(key, this.namespace))
      return deleted
    }
  }
}
