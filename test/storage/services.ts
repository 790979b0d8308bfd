import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'

/** Redis and PostgreSQL for the tests: the machine's (and CI's) services unless overridden. */
export const REDIS_URL = process.env.POLYTOKEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const POSTGRES_URL = process.env.POLYTOKEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A prefix no other run uses, so parallel runs and leftovers never meet. */
export function runPrefix(label: string): string {
  return `t-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}-`
}

/**
 * `url` with `?name=value` set. Works on the comma-separated hosts of redis+sentinel:// and redis+cluster:// URLs
 * too, which URL() refuses (it allows one host).
 */
export function withParam(url: string, name: string, value: string): string {
  const at = url.indexOf('?')
  const query = new URLSearchParams(at >= 0 ? url.slice(at + 1) : '')
  query.set(name, value)
  return `${at >= 0 ? url.slice(0, at) : url}?${query.toString()}`
}

/** The first host and port of a store URL (of a comma-separated list: the first seed). */
function firstAddress(url: string, defaultPort: number): { host: string; port: number } {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?]*@)?([^/?,]*)/i.exec(url)?.[1] ?? ''
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority)
  return { host: (match?.[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(match?.[2] ?? defaultPort) }
}

/**
 * Undefined when something accepts TCP connections at the URL's host and port;
 * otherwise the reason to skip, naming the service and the address.
 */
export async function unreachable(service: string, url: string, defaultPort: number): Promise<string | undefined> {
  const { host, port: portNumber } = firstAddress(url, defaultPort)
  const ok = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port: portNumber })
    const done = (result: boolean) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
  return ok ? undefined : `${service} is not reachable at ${host}:${portNumber} (start it, or point the test elsewhere with POLYTOKEN_TEST_${service.toUpperCase()}_URL)`
}
