import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Memory-hard password hashing with node:crypto's scrypt, per-user salt. Encoded as `scrypt$N$r$p$salt$hash`
 * (base64url) so the cost can change later without breaking stored hashes.
 */
export interface PasswordHashOptions {
  /** CPU/memory cost (power of two). Default 2^14: 16 MiB, ~40 ms on one core here. */
  N?: number
  r?: number
  p?: number
}

const KEY_LENGTH = 32

function scryptAsync(password: string, salt: Buffer, options: Required<PasswordHashOptions>): Promise<Buffer> {
  const scryptOptions: ScryptOptions = { N: options.N, r: options.r, p: options.p, maxmem: 256 * options.N * options.r + 1024 * 1024 }
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, scryptOptions, (error, key) => (error ? reject(error) : resolve(key))))
}

export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const params = { N: options.N ?? 16384, r: options.r ?? 8, p: options.p ?? 1 }
  const salt = randomBytes(16)
  const hash = await scryptAsync(password, salt, params)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/**
 * A hash to verify against when the user does not exist, so both answers take the same time. One per cost: a decoy of
 * another cost would betray itself.
 */
const decoys = new Map<string, Promise<string>>()
export function decoyPasswordHash(options: PasswordHashOptions = {}): Promise<string> {
  const key = `${options.N ?? 16384}:${options.r ?? 8}:${options.p ?? 1}`
  let decoy = decoys.get(key)
  if (!decoy) decoys.set(key, (decoy = hashPassword(randomBytes(16).toString('hex'), options)))
  return decoy
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = encoded.split('$')
  if (scheme !== 'scrypt' || !N || !r || !p || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
