import { createHmac } from 'node:crypto'

/**
 * Store keys for throttle counters: an HMAC under the deployment's throttle
 * key, never a plain hash. A SHA-256 of an IPv4 address (or of a username
 * from a list) is reversed by trying them all; without the key nobody can
 * tell whose counter a key is. 128 bits of the MAC are plenty for a key.
 */
export function createThrottleKeys(secret: ThrottleSecret): (kind: string, ...parts: string[]) => Promise<string> {
  const load = async () => {
    const key = typeof secret === 'function' ? await secret() : secret
    if (key.length < 16) throw new RangeError('throttle key secret: at least 16 bytes')
    return key
  }
  return async (kind, ...parts) =>
    `${kind}:${createHmac('sha256', await load())
      .update([kind, ...parts].join('\u0000'))
      .digest('base64url')
      .slice(0, 22)}`
}

/**
 * The key, or a function that loads it when first needed (services.deploymentKey
 * reads the store when no master key is configured: not at start-up, so a
 * store that is down then does not stop the start).
 */
export type ThrottleSecret = Buffer | (() => Promise<Buffer>)

/** The address a request came from, as a throttle counts it (an empty one is one shared "unknown"). */
export function throttleAddress(ip: string): string {
  return ip || 'unknown'
}
