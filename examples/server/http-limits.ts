import type { Server, ServerOptions } from 'node:http'

/**
 * How long a client may take, and how many may be connected at once. Node's
 * own defaults (60 s for the headers, 300 s for a request, no connection
 * limit) let a client that sends one byte a second hold a socket for minutes,
 * and enough of them hold every socket the process has.
 */
export interface HttpLimits {
  /** The whole header block must arrive within this (Node's `headersTimeout`). */
  headersTimeoutMs: number
  /** Headers and body must arrive within this (Node's `requestTimeout`). */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this (Node's `keepAliveTimeout`). */
  keepAliveTimeoutMs: number
  /** Connections beyond this many, per process, are closed as they arrive (`server.maxConnections`). */
  maxConnections: number
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 }

const ENV: Record<keyof HttpLimits, string> = {
  headersTimeoutMs: 'POLYTOKEN_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'POLYTOKEN_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'POLYTOKEN_KEEP_ALIVE_TIMEOUT_MS',
  maxConnections: 'POLYTOKEN_MAX_CONNECTIONS',
}

/** The config file's `http` section, then the environment; a bad value throws naming its key. */
export function readHttpLimits(section: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS }
  for (const key of Object.keys(section ?? {})) {
    if (!(key in ENV)) throw new Error(`http.${key}: unknown key (use ${Object.keys(ENV).join(', ')})`)
  }
  for (const key of Object.keys(ENV) as Array<keyof HttpLimits>) {
    const value = env[ENV[key]] ?? (section?.[key] as number | undefined)
    if (value === undefined) continue
    const number = Number(value)
    if (!Number.isInteger(number) || number < 1) throw new Error(`http.${key} (${ENV[key]}) must be a whole number of at least 1, got "${String(value)}"`)
    limits[key] = number
  }
  // Node refuses a server whose headers may take longer than the whole request.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('http.headersTimeoutMs must not exceed http.requestTimeoutMs')
  return limits
}

/** Options for `http.createServer`. */
export function serverOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts on this interval (30 s by default): a quarter of the shorter one, at
    // most a second, cuts a slow client off close to its timeout rather than up to 30 s after it.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  }
}

export function applyConnectionLimit(server: Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections
}
