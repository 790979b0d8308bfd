/** A clock in epoch milliseconds; tests pass their own. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}
