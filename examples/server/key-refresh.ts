import { ConfigInvalid } from '@polytoken/core'

/**
 * How often the server re-reads its generated key rings from the store (the runtime's keyRefreshMs): env
 * POLYTOKEN_KEY_REFRESH_MS, default 10 000. The CLI reads the same variable, so `keys promote` waits for the
 * interval the servers use.
 */
export function keyRefreshMs(env: NodeJS.ProcessEnv): { keyRefreshMs?: number } {
  const given = env.POLYTOKEN_KEY_REFRESH_MS
  if (given === undefined || given === '') return {}
  const value = Number(given)
  if (!Number.isInteger(value)) throw new ConfigInvalid('POLYTOKEN_KEY_REFRESH_MS: an integer number of milliseconds')
  return { keyRefreshMs: value }
}
