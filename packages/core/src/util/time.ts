/** A clock in epoch milliseconds; tests pass their own. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

/**
 * setTimeout for a deadline on I/O: when the timer fires, `expire` waits for the end of that turn of the event loop
 * (setImmediate runs after the I/O poll). After the process was busy or paused for longer than `ms`, timers run before
 * the loop reads its sockets, and an answer that arrived in the meantime would otherwise count as one that did not.
 * `expire` may still run after clearTimeout when the timer had already fired: let it find the work settled.
 */
export function ioDeadline(expire: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(() => setImmediate(expire), ms)
}
