import { createHash, type KeyObject } from 'node:crypto'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

function base32(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

/**
 * Docker's libtrust key ID: SHA-256 of the DER SubjectPublicKeyInfo, first
 * 240 bits, base32 without padding, in 12 groups of 4 joined by ':'. A stock
 * registry finds the verification key in its certificate bundle by this ID.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const digest = createHash('sha256').update(der).digest().subarray(0, 30)
  return base32(digest).match(/.{4}/g)!.join(':')
}
