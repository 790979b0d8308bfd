import { ConfigInvalid, silentLogger, type Logger, type StoreOptions } from '@polytoken/core'
import { redactUrl } from './redact-url.js'

/** What a store on a server (Redis, PostgreSQL) reads from its URL and the options. */
export interface ServerOptions {
  /** The URL for the driver, without our own query parameters. */
  url: string
  /** The URL fit for logs and messages: credentials removed. */
  location: string
  prefix: string | undefined
  timeoutMs: number
  logger: Logger
}

/** A timeout that fires: a positive, finite number of milliseconds. */
export function checkTimeout(timeoutMs: number): number {
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new ConfigInvalid('store: timeoutMs must be a positive number of milliseconds')
  return timeoutMs
}

/** `?prefix=` and `?timeoutMs=` are ours, not the driver's: take them out of the URL (the options win). */
export function serverOptions(url: string, options: StoreOptions): ServerOptions {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigInvalid(`store: "${redactUrl(url)}" is not a valid URL`)
  }
  const prefix = parsed.searchParams.get('prefix')
  const timeout = parsed.searchParams.get('timeoutMs')
  parsed.searchParams.delete('prefix')
  parsed.searchParams.delete('timeoutMs')
  const clean = prefix === null && timeout === null ? url : parsed.toString()
  return {
    url: clean,
    location: redactUrl(clean),
    prefix: options.prefix ?? prefix ?? undefined,
    timeoutMs: checkTimeout(options.timeoutMs ?? (timeout === null ? 1000 : Number(timeout))),
    logger: options.logger ?? silentLogger,
  }
}
