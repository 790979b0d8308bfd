import { ConfigInvalid } from '@polytoken/core'
import type { StartupOptions } from '@polytoken/express'

/** How the examples server stops on SIGTERM / SIGINT (shutdown.ts). */
export interface ShutdownSettings {
  /**
   * The whole shutdown's budget from the signal: requests still running when it is spent are cut off. Keep it
   * below Kubernetes' terminationGracePeriodSeconds (default 30 s) minus any preStop hook.
   */
  graceMs: number
  /** Not-ready but still accepting for this long after the signal, so load balancers stop sending before the listener closes. */
  delayMs: number
}

export const DEFAULT_SHUTDOWN: ShutdownSettings = { graceMs: 10_000, delayMs: 0 }

/** POLYTOKEN_SHUTDOWN_GRACE_MS and POLYTOKEN_SHUTDOWN_DELAY_MS; a bad value is ConfigInvalid naming the variable. */
export function readShutdownSettings(env: NodeJS.ProcessEnv): ShutdownSettings {
  const graceMs = wholeNumber(env, 'POLYTOKEN_SHUTDOWN_GRACE_MS', 1) ?? DEFAULT_SHUTDOWN.graceMs
  const delayMs = wholeNumber(env, 'POLYTOKEN_SHUTDOWN_DELAY_MS', 0) ?? DEFAULT_SHUTDOWN.delayMs
  if (delayMs >= graceMs) throw new ConfigInvalid(`POLYTOKEN_SHUTDOWN_DELAY_MS (${delayMs}) must be less than POLYTOKEN_SHUTDOWN_GRACE_MS (${graceMs}): the delay is part of the grace period`)
  return { graceMs, delayMs }
}

/** POLYTOKEN_STARTUP_RETRY_MS and POLYTOKEN_STARTUP_MAX_ATTEMPTS: how long a store that is not up yet is waited for. */
export function readStartupRetry(env: NodeJS.ProcessEnv): StartupOptions {
  const retryForMs = wholeNumber(env, 'POLYTOKEN_STARTUP_RETRY_MS', 0)
  const maxAttempts = wholeNumber(env, 'POLYTOKEN_STARTUP_MAX_ATTEMPTS', 1)
  return { ...(retryForMs === undefined ? {} : { retryForMs }), ...(maxAttempts === undefined ? {} : { maxAttempts }) }
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new ConfigInvalid(`${name} must be a whole number of at least ${min}, got "${value}"`)
  return number
}
