import { pino } from 'pino'
import type { Logger } from '@polytoken/core'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/**
 * The examples server logs JSON lines with pino on stdout: polytoken's own lines, one access line per request (info)
 * and one audit line per token issued or revoked (info). POLYTOKEN_LOG_LEVEL=warn keeps only the trouble.
 */
export function createServerLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const wanted = env.POLYTOKEN_LOG_LEVEL ?? 'info'
  const known = LEVELS.includes(wanted)
  const logger = pino({ level: known ? wanted : 'info', base: { pid: process.pid } })
  // Not a reason to stay down: said once, and the server logs at info.
  if (!known) logger.warn({ setting: 'POLYTOKEN_LOG_LEVEL', known: LEVELS }, 'unknown log level; logging at info')
  return logger
}

/** The start-up warning as a log line too: it names the settings still at their example values, never a value. */
export function warnExampleSecrets(logger: Logger, settings: readonly string[]): void {
  if (settings.length > 0) logger.warn({ settings }, 'example secrets in use: set them through config or environment before exposing this server')
}
