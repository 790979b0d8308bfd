import type { AtomicOps } from '@polytoken/store-keyv'

/**
 * Sends `WAIT replicas timeoutMs` on the connection that carried the write to `key` (in a Cluster, the master of
 * the key's slot) and returns how many replicas acknowledged every write of that connection so far.
 */
export type SendWait = (key: string, replicas: number, timeoutMs: number) => Promise<number>

/** After a write, wait until it is on enough replicas to survive a failover of its master. */
export type ConfirmWrite = (key: string) => Promise<void>

/** An error whose message carries no secret: the write may or may not have reached the replicas, so it is not acknowledged. */
export class ReplicasDidNotConfirm extends Error {
  readonly code = 'ERR_REDIS_REPLICAS_DID_NOT_CONFIRM'
}

/**
 * Redis replicates asynchronously: a write the master acknowledged is lost if the master dies before a replica got
 * it and that replica is promoted. WAIT closes the window for the writes that matter: the store answers only after
 * `replicas` replicas hold the write, otherwise the operation fails (503) and the caller never treats it as done.
 */
export function confirmWrites(send: SendWait, replicas: number, timeoutMs: number): ConfirmWrite {
  return async (key) => {
    const acknowledged = await send(key, replicas, timeoutMs)
    if (acknowledged < replicas) throw new ReplicasDidNotConfirm(`write reached ${acknowledged} of ${replicas} replica(s) within ${timeoutMs} ms`)
  }
}

/** The atomic operations, each write confirmed by the replicas before it is reported done. Reads and no-ops are not. */
export function confirmedOps(ops: AtomicOps, confirm: ConfirmWrite): AtomicOps {
  return {
    async add(key, record, ttlMs, now) {
      const written = await ops.add(key, record, ttlMs, now)
      if (written) await confirm(key)
      return written
    },
    async take(key) {
      const record = await ops.take(key)
      // A take that deleted something is a write: a single-use value must not come back after a failover.
      if (record !== undefined) await confirm(key)
      return record
    },
    async increment(key, ttlMs, now, by) {
      const count = await ops.increment(key, ttlMs, now, by)
      await confirm(key)
      return count
    },
    read: (key) => ops.read(key),
    async replace(key, expected, record, ttlMs, now) {
      const written = await ops.replace(key, expected, record, ttlMs, now)
      if (written) await confirm(key)
      return written
    },
  }
}
