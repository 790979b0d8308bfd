import { readFileSync } from 'node:fs'
import { createCluster, createSentinel } from '@redis/client'
import { ConfigInvalid, type Logger } from '@polytoken/core'
import type { KeyvDriver } from '@polytoken/store-keyv'
import { connectForAWhile, keyvDriverOn, redisAtomicOps, throttledWarning, type RedisCommands } from './redis-driver.js'
import { confirmWrites, confirmedOps, type SendWait } from './replica-wait.js'
import type { TopologyTls, TopologyUrl } from './topology-url.js'

export interface TopologyDriverOptions {
  topology: TopologyUrl
  timeoutMs: number
  logger: Logger
}

/** How often a Cluster client may re-read the slot map while a node fails: often enough to find a promoted replica soon. */
const REFRESH_EVERY_MS = 250

/** Node and Sentinel socket options: TLS files read once here, so a missing file is a configuration error at start. */
function socketOptions(tls: TopologyTls | undefined, timeoutMs: number): Record<string, unknown> {
  const socket: Record<string, unknown> = {
    connectTimeout: Math.max(timeoutMs, 1_000),
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
  }
  if (!tls) return socket
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file)
    } catch {
      throw new ConfigInvalid(`store: cannot read the TLS ${what} file given in the store URL`)
    }
  }
  socket.tls = true
  if (tls.caFile) socket.ca = read(tls.caFile, 'CA')
  if (tls.certFile) socket.cert = read(tls.certFile, 'certificate')
  if (tls.keyFile) socket.key = read(tls.keyFile, 'key')
  if (tls.servername) socket.servername = tls.servername
  return socket
}

/**
 * Redis behind Sentinel or as a Cluster, through @redis/client's own topology clients and @keyv/redis (which takes
 * both). Every operation touches one key (the Lua scripts read and write KEYS[1] only), so each runs whole on the
 * master of that key's slot; see docs/scale-out.md for what a failover keeps.
 */
export async function connectTopology(options: TopologyDriverOptions): Promise<KeyvDriver> {
  const { topology, timeoutMs, logger } = options
  const log = { logger, location: topology.location }
  const socket = socketOptions(topology.tls, timeoutMs)
  const node = { username: topology.username, password: topology.password, disableOfflineQueue: true, pingInterval: 5_000, socket }
  const waitTimeoutMs = topology.waitTimeoutMs ?? Math.max(1, Math.floor(timeoutMs / 2))

  if (topology.kind === 'sentinel') {
    const sentinel = createSentinel({
      name: topology.masterName!,
      sentinelRootNodes: topology.nodes,
      nodeClientOptions: { ...node, database: topology.database },
      sentinelClientOptions: { username: topology.sentinelUsername, password: topology.sentinelPassword, socket: { ...socket } },
      // One connection to the master: WAIT then counts the writes this store made on it.
      masterPoolSize: 1,
      maxCommandRediscovers: 16,
    })
    sentinel.setMaxListeners(0)
    sentinel.on('error', throttledWarning(log, 'redis sentinel error (rediscovering)'))
    await connectForAWhile(() => sentinel.connect(), { timeoutMs, ...log })
    const commands = sentinel as unknown as RedisCommands
    const send: SendWait = async (_key, replicas, ms) => Number(await sentinel.sendCommand(false, ['WAIT', String(replicas), String(ms)]))
    const confirm = topology.waitReplicas > 0 ? confirmWrites(send, topology.waitReplicas, waitTimeoutMs) : undefined
    const atomic = redisAtomicOps(commands)
    return keyvDriverOn(sentinel, {
      atomic: confirm ? confirmedOps(atomic, confirm) : atomic,
      confirm,
      ping: async () => void (await sentinel.sendCommand(false, ['PING'])),
      close: async () => {
        if (sentinel.isOpen) await sentinel.close().catch(() => sentinel.destroy())
      },
    })
  }

  const cluster = createCluster({ rootNodes: topology.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })), defaults: node, maxCommandRedirections: 16 })
  cluster.setMaxListeners(0)
  const warn = throttledWarning(log, 'redis cluster node error (re-reading the slot map)')
  // @redis/client re-reads the slot map only on MOVED/ASK, which a dead master never sends: without this, the slots of a
  // failed-over shard would stay on the dead node until a restart. Every node error asks for a (throttled) refresh.
  let lastRefresh = 0
  const refresh = () => {
    const now = Date.now()
    if (now - lastRefresh < REFRESH_EVERY_MS || !cluster.isOpen) return
    lastRefresh = now
    const seed = topology.nodes[Math.floor(Math.random() * topology.nodes.length)]!
    cluster._slots.rediscover({ options: { ...node, socket: { ...socket, host: seed.host, port: seed.port } } } as never).catch(() => undefined)
  }
  cluster.on('error', warn)
  cluster.on('node-error', (error: Error) => {
    warn(error)
    refresh()
  })
  let opening: Promise<unknown> | undefined
  const open = () => (opening ??= cluster.connect().finally(() => (opening = undefined)))
  // Awaited whole: a Cluster client sends nothing before it has the slot map (a command then fails with a TypeError
  // inside @redis/client). The first operation's timeout bounds this wait; a failure here is retried by the next one.
  await open().catch((error: Error) => {
    warn(error)
    if (cluster.isOpen) cluster.destroy()
    throw error
  })
  const ready = async () => {
    if (opening) await opening
    else if (!cluster.isOpen) await open()
  }
  const raw = redisAtomicOps(cluster)
  const send: SendWait = async (key, replicas, ms) => Number(await cluster.sendCommand(key, false, ['WAIT', String(replicas), String(ms)]))
  const confirm = topology.waitReplicas > 0 ? confirmWrites(send, topology.waitReplicas, waitTimeoutMs) : undefined
  const guarded = failing(confirm ? confirmedOps(raw, confirm) : raw, ready, refresh)
  return keyvDriverOn(cluster, {
    atomic: guarded,
    confirm,
    ping: async () => {
      await ready()
      await cluster.sendCommand(undefined, true, ['PING'])
    },
    close: async () => {
      if (cluster.isOpen) await cluster.close().catch(() => cluster.destroy())
    },
  })
}

/** Opens the client first if it is closed, and asks for a slot-map refresh when an operation fails. */
function failing<T extends object>(ops: T, ready: () => Promise<void>, refresh: () => void): T {
  const wrapped = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(ops) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    wrapped[name] = async (...args: unknown[]) => {
      await ready()
      try {
        return await fn(...args)
      } catch (error) {
        refresh()
        throw error
      }
    }
  }
  return wrapped as T
}
