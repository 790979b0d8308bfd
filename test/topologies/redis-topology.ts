import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createClient } from '@redis/client'
import { createStore, type StoreBackend } from '@polytoken/core'
import { freePort, listening, sleep, tempDir, type Child } from '../scale-out/harness.js'

/**
 * Real Redis topologies on loopback for the tests, from the machine's redis-server: ports of their own (never the
 * shared 6379), a temp dir, every process stopped by its pid at the end. Timeouts are set for a loaded machine (two
 * cores shared by many): a node is judged down after 2 s (Sentinel) or 3 s (Cluster), not at the first slow reply.
 */

/** The data nodes' password; the Sentinels have one of their own. Both go through the store URL, as in production. */
export const NODE_PASSWORD = 'topology-node-password'
export const SENTINEL_PASSWORD = 'topology-sentinel-password'
export const MASTER_NAME = 'polytoken-master'
export const SENTINEL_DOWN_AFTER_MS = 2_000
export const CLUSTER_NODE_TIMEOUT_MS = 3_000

/** Is the machine's redis-server there? Undefined when it is; otherwise why the topology tests cannot run. */
export function redisServerMissing(): string | undefined {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (found.status !== 0) return 'redis-server is not installed (apt-get install -y redis-server)'
  const cli = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' })
  if (cli.status !== 0) return 'redis-cli is not installed (apt-get install -y redis-tools)'
  return undefined
}

export interface RedisProcess extends Child {
  port: number
  /** The command line, to start the node again as a supervisor would after a crash. */
  args: string[]
}

/** Every redis-server this process started and has not seen exit: killed (by pid) if the test process ends first. */
const running = new Set<import('node:child_process').ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function trackProcess(args: string[], port: number): RedisProcess {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)))
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    port,
    args,
    process: child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await sleep(150)
  }
  throw new Error(`${what} within ${timeoutMs} ms`)
}

/** Runs one command on a node (password given); the reply, or undefined when the node does not answer. */
export async function command(port: number, args: string[], password: string | undefined = NODE_PASSWORD): Promise<unknown> {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false }, password, disableOfflineQueue: true })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return await client.sendCommand(args)
  } catch {
    return undefined
  } finally {
    if (client.isOpen) client.destroy()
  }
}

async function info(port: number, section: string): Promise<Record<string, string>> {
  const reply = await command(port, ['INFO', section])
  const text = typeof reply === 'string' ? reply : ''
  return Object.fromEntries(text.split(/\r?\n/).flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])))
}

const baseArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  '--daemonize',
  'no',
  '--requirepass',
  NODE_PASSWORD,
  '--masterauth',
  NODE_PASSWORD,
  // A node that rejoins gets its full copy at once (7.0 waits 5 s for more replicas to share the transfer).
  '--repl-diskless-sync-delay',
  '0',
]

export interface Topology {
  /** The store URL (every seed, the credentials), without prefix. */
  url: string
  /**
   * Starts a killed node again on its port (as a supervisor would): Sentinel makes an old master a replica of the
   * new one, a Cluster node rejoins as a replica of the node promoted in its place.
   */
  restart(node: RedisProcess): Promise<RedisProcess>
  /** Ends every process of the topology and removes its directory. */
  stop(): Promise<void>
}

export interface SentinelTopology extends Topology {
  master: RedisProcess
  replica: RedisProcess
  sentinels: RedisProcess[]
  /** The port of the node Sentinel calls master now. */
  currentMasterPort(): Promise<number | undefined>
  /**
   * Cuts the replica off the master while every node stays up: the master's password changes (connections already
   * open stay authenticated) and the replica's link is dropped, so its reconnection is refused. A proxy would not
   * do: Sentinel points a replica at the real master address again (+fix-slave-config).
   */
  cutReplication(): Promise<void>
}

/** A master, one replica and three Sentinels (quorum 2) watching them. */
export async function startSentinelTopology(): Promise<SentinelTopology> {
  const dir = tempDir('sentinel')
  const processes: RedisProcess[] = []
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')))
    dir.remove()
  }
  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
    const master = trackProcess(baseArgs(masterPort, dir.path).concat('--dbfilename', 'master.rdb'), masterPort)
    processes.push(master)
    const replica = trackProcess(baseArgs(replicaPort, dir.path).concat('--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(masterPort)), replicaPort)
    processes.push(replica)
    await waitUntil('the master listens', () => listening(masterPort))
    await waitUntil('the replica is in sync', async () => (await info(replicaPort, 'replication')).master_link_status === 'up')
    const sentinels = sentinelPorts.map((port, i) => {
      const file = join(dir.path, `sentinel-${i}.conf`)
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir.path}`,
          `requirepass ${SENTINEL_PASSWORD}`,
          `sentinel sentinel-pass ${SENTINEL_PASSWORD}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel auth-pass ${MASTER_NAME} ${NODE_PASSWORD}`,
          `sentinel down-after-milliseconds ${MASTER_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      )
      return trackProcess([file, '--sentinel'], port)
    })
    processes.push(...sentinels)
    // Every Sentinel knows the replica and the other two before the tests start: a failover needs the quorum.
    await waitUntil('the Sentinels know each other and the replica', async () => {
      for (const sentinel of sentinels) {
        const known = (await command(sentinel.port, ['SENTINEL', 'SENTINELS', MASTER_NAME], SENTINEL_PASSWORD)) as unknown[] | undefined
        const replicas = (await command(sentinel.port, ['SENTINEL', 'REPLICAS', MASTER_NAME], SENTINEL_PASSWORD)) as unknown[] | undefined
        if (known?.length !== 2 || replicas?.length !== 1) return false
      }
      return true
    })
    const seeds = sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')
    return {
      url: `redis+sentinel://:${NODE_PASSWORD}@${seeds}/${MASTER_NAME}?sentinelPassword=${SENTINEL_PASSWORD}`,
      master,
      replica,
      sentinels,
      async cutReplication() {
        const refused = `cut-${NODE_PASSWORD}`
        await command(master.port, ['CONFIG', 'SET', 'requirepass', refused])
        await command(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica'], refused)
        await waitUntil(
          'the master has no replica',
          async () =>
            (await command(master.port, ['INFO', 'replication'], refused)) !== undefined && String(await command(master.port, ['INFO', 'replication'], refused)).includes('connected_slaves:0'),
        )
      },
      async restart(node) {
        const again = trackProcess(node.args, node.port)
        processes.push(again)
        await waitUntil(`node ${node.port} listens again`, () => listening(node.port))
        return again
      },
      async currentMasterPort() {
        for (const sentinel of sentinels) {
          const reply = (await command(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME], SENTINEL_PASSWORD)) as string[] | undefined
          if (reply) return Number(reply[1])
        }
        return undefined
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

export interface ClusterTopology extends Topology {
  nodes: RedisProcess[]
  /** The node serving `slot` as master now, from the cluster's own view (asked of a live node). */
  masterOfSlot(slot: number): Promise<number | undefined>
  /** cluster_state:ok on every live node. */
  healthy(): Promise<boolean>
}

/** Three masters and three replicas (one each), made a Cluster by `redis-cli --cluster create`. */
export async function startClusterTopology(): Promise<ClusterTopology> {
  const dir = tempDir('cluster')
  const nodes: RedisProcess[] = []
  const stop = async () => {
    await Promise.all(nodes.map((p) => p.stop('SIGKILL')))
    dir.remove()
  }
  try {
    const ports = await Promise.all(Array.from({ length: 12 }, () => freePort()))
    for (let i = 0; i < 6; i++) {
      const port = ports[i]!
      const args = baseArgs(port, dir.path).concat(
        ...[
          ['--cluster-enabled', 'yes'],
          ['--cluster-port', String(ports[6 + i])],
          ['--cluster-config-file', `nodes-${port}.conf`],
          ['--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)],
          ['--dbfilename', `dump-${port}.rdb`],
        ],
      )
      nodes.push(trackProcess(args, port))
    }
    for (const node of nodes) await waitUntil(`cluster node ${node.port} listens`, () => listening(node.port))
    const created = spawnSync('redis-cli', ['--no-auth-warning', '-a', NODE_PASSWORD, '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`)
    const live = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null)
    const healthy = async () => {
      for (const node of live()) {
        const reply = await command(node.port, ['CLUSTER', 'INFO'])
        const text = typeof reply === 'string' ? reply : ''
        if (!text.includes('cluster_state:ok')) return false
      }
      return true
    }
    await waitUntil('the Cluster is ok on every node', healthy, 60_000)
    await waitUntil('every replica is in sync', async () => {
      let synced = 0
      for (const node of nodes) if ((await info(node.port, 'replication')).master_link_status === 'up') synced++
      return synced === 3
    })
    return {
      url: `redis+cluster://:${NODE_PASSWORD}@${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
      nodes,
      healthy,
      async restart(node) {
        const again = trackProcess(node.args, node.port)
        nodes.push(again)
        await waitUntil(`node ${node.port} listens again`, () => listening(node.port))
        return again
      },
      async masterOfSlot(slot: number) {
        for (const node of live()) {
          const slots = (await command(node.port, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]> | undefined
          const range = slots?.find(([from, to]) => from <= slot && slot <= to)
          if (range) return Number(range[2][1])
        }
        return undefined
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * A store on the topology once its client has connected: a Sentinel client's first connection (ask a Sentinel, then
 * open the master) takes most of a second on a loaded machine, which the suite's first operation should not pay.
 */
export async function connectedStore(url: string, prefix: string): Promise<StoreBackend> {
  const backend = await createStore({ url, prefix })
  await waitUntil('the store answers a ping', async () => (await backend.ping(), true), 20_000)
  return backend
}
