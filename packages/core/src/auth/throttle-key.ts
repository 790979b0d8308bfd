import { createHmac } from 'node:crypto'

/**
 * Store keys for throttle counters: an HMAC under the deployment's throttle
 * key, never a plain hash. A SHA-256 of an IPv4 address (or of a username
 * from a list) is reversed by trying them all; without the key nobody can
 * tell whose counter a key is. 128 bits of the MAC are plenty for a key.
 */
export function createThrottleKeys(secret: Buffer): (kind: string, ...parts: string[]) => string {
  if (secret.length < 16) throw new RangeError('throttle key secret: at least 16 bytes')
  return (kind, ...parts) => `${kind}:${createHmac('sha256', secret).update([kind, ...parts].join('\u0000')).digest('base64url').slice(0, 22)}`
}

/** The address a request came from, as a throttle counts it (an empty one is one shared "unknown"). */
export function throttleAddress(ip: string): string {
  return ip || 'unknown'
}
