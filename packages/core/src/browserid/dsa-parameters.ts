import { checkPrimeSync } from 'node:crypto'

export interface DsaParameters {
  p: bigint
  q: bigint
  g: bigint
  y: bigint
}

/**
 * Throw a TypeError unless (p, q, g, y) is a DSA public key whose signatures
 * mean something. OpenSSL verifies with whatever it is given: with g = 1 and
 * y = 1 every message "verifies" under r = 1, so a certified key with such
 * parameters would let anyone sign in its owner's name. Sizes are checked by
 * the caller (they name the algorithm).
 */
export function checkDsaParameters({ p, q, g, y }: DsaParameters): void {
  if ((p - 1n) % q !== 0n) throw new TypeError('DS public-key is invalid: q does not divide p-1')
  if (!(g > 1n && g < p)) throw new TypeError('DS public-key is invalid: g must satisfy 1 < g < p')
  if (!(y > 1n && y < p)) throw new TypeError('DS public-key is invalid: y must satisfy 1 < y < p')
  // q is small (160 or 256 bits): its primality costs well under a millisecond.
  if (!checkPrimeSync(q)) throw new TypeError('DS public-key is invalid: q is not prime')
  if (modPow(g, q, p) !== 1n) throw new TypeError('DS public-key is invalid: g does not generate a subgroup of order q')
  if (modPow(y, q, p) !== 1n) throw new TypeError('DS public-key is invalid: y is not in the subgroup of g')
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  let b = base % modulus
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus
    b = (b * b) % modulus
  }
  return result
}
