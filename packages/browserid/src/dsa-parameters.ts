import { checkPrimeSync, constants, createHash, createPublicKey, publicEncrypt } from 'node:crypto'
import { LRUCache } from 'lru-cache'

export interface DsaParameters {
  p: Buffer
  q: Buffer
  g: Buffer
  y: Buffer
}

// Groups (p, q, g) already found sound. jwcrypto gives every user of one size the same group, so
// in practice only y is checked per key; a fresh group costs about a millisecond once.
const soundGroups = new LRUCache<string, true>({ max: 1_000 })

/**
 * Throw a TypeError unless (p, q, g, y) is a DSA public key whose signatures
 * mean something. OpenSSL verifies with whatever it is given: with g = 1 and
 * y = 1 every message "verifies" under r = 1, so a certified key with such
 * parameters would let anyone who saw the certificate sign in its owner's
 * name. Sizes are checked by the caller (they name the algorithm); p's
 * primality is not (a test for a 2048-bit p would cost more than a
 * signature check, on keys anyone can get certified).
 */
export function checkDsaParameters(parameters: DsaParameters): void {
  const p = toBigInt(parameters.p)
  const q = toBigInt(parameters.q)
  const g = toBigInt(parameters.g)
  const y = toBigInt(parameters.y)
  if (p % 2n === 0n) throw new TypeError('DS public-key is invalid: p is even')
  if ((p - 1n) % q !== 0n) throw new TypeError('DS public-key is invalid: q does not divide p-1')
  if (!(g > 1n && g < p)) throw new TypeError('DS public-key is invalid: g must satisfy 1 < g < p')
  if (!(y > 1n && y < p)) throw new TypeError('DS public-key is invalid: y must satisfy 1 < y < p')
  const group = createHash('sha256').update(parameters.p).update('|').update(parameters.q).update('|').update(parameters.g).digest('base64url')
  if (!soundGroups.has(group)) {
    if (!checkPrimeSync(parameters.q)) throw new TypeError('DS public-key is invalid: q is not prime')
    if (modPow(parameters.g, parameters.q, parameters.p) !== 1n) throw new TypeError('DS public-key is invalid: g does not generate a subgroup of order q')
    soundGroups.set(group, true)
  }
  if (modPow(parameters.y, parameters.q, parameters.p) !== 1n) throw new TypeError('DS public-key is invalid: y is not in the subgroup of g')
}

/**
 * base^exponent mod modulus, computed by OpenSSL: a raw RSA public operation
 * with n = modulus and e = exponent is exactly that modular power, some ten
 * times faster than BigInt arithmetic at 2048 bits. Needs an odd modulus of
 * at most 3072 bits (DS sizes are 1024 and 2048) and base < modulus.
 */
function modPow(base: Buffer, exponent: Buffer, modulus: Buffer): bigint {
  const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }, format: 'jwk' })
  const input = Buffer.concat([Buffer.alloc(modulus.length - base.length), base])
  return toBigInt(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, input))
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytes.toString('hex'))
}
