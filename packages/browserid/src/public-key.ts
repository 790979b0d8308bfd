import { createPublicKey, type KeyObject } from 'node:crypto'
import { dsaSpki, readDsaSpki } from './der.js'
import { checkDsaParameters } from './dsa-parameters.js'

/** A BrowserID public key as certificates and support documents carry it. */
export type BrowserIdPublicKeyJson = { algorithm: 'RS'; n: string; e: string } | { algorithm: 'DS'; y: string; p: string; q: string; g: string }

export type BrowserIdAlgorithm = 'RS64' | 'RS128' | 'RS256' | 'DS128' | 'DS256'

/** A key ready to verify: the JWS `alg` it signs with, and how. */
export interface BrowserIdPublicKey {
  readonly algorithm: BrowserIdAlgorithm
  readonly key: KeyObject
  readonly hash: 'sha1' | 'sha256'
  /** DSA: the exact signature length (r‖s, each the size of q); RSA: the modulus length. */
  readonly signatureBytes: number
  readonly dsa: boolean
}

/** What a key must be to be accepted, beyond being well-formed. */
export interface BrowserIdKeyPolicy {
  /** Accept 512-bit RSA (RS64) keys: jwcrypto's "for testing only" size, factorable today. Default false. */
  allowRs64Keys?: boolean
}

const DECIMAL = /^[1-9][0-9]{0,1233}$/
const EXPONENT = /^[1-9][0-9]{0,9}$/
const HEX = /^[0-9a-fA-F]{1,1024}$/

/** Parse and check a `public-key` object; throws a TypeError saying what is wrong. */
export function importBrowserIdPublicKey(json: unknown, policy: BrowserIdKeyPolicy = {}): BrowserIdPublicKey {
  if (typeof json !== 'object' || json === null) throw new TypeError('public-key must be an object')
  const record = json as Record<string, unknown>
  if (record.algorithm === 'RS') return importRsa(record, policy)
  if (record.algorithm === 'DS') return importDsa(record)
  throw new TypeError('public-key.algorithm must be RS or DS')
}

function importRsa(record: Record<string, unknown>, policy: BrowserIdKeyPolicy): BrowserIdPublicKey {
  const { n, e } = record
  if (typeof n !== 'string' || !DECIMAL.test(n) || typeof e !== 'string' || !EXPONENT.test(e)) {
    throw new TypeError('RS public-key needs decimal n and e')
  }
  // A huge public exponent would make every verification as slow as a private-key operation.
  if (BigInt(e) < 3n || BigInt(e) > 0xffffffffn || BigInt(e) % 2n === 0n) throw new TypeError('RS public-key exponent must be odd and below 2^32')
  const modulus = bigintBytes(BigInt(n))
  const bits = BigInt(n).toString(2).length
  const algorithm = rsaAlgorithm(bits)
  if (!algorithm) throw new TypeError(`RS public-key has an unsupported size (${bits} bits)`)
  if (algorithm === 'RS64' && !policy.allowRs64Keys) throw new TypeError(`RSA keys of 512 bits (RS64) are refused as too weak; set allowRs64Keys to allow them`)
  const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: bigintBytes(BigInt(e)).toString('base64url') }, format: 'jwk' })
  return { algorithm, key, hash: 'sha256', signatureBytes: modulus.length, dsa: false }
}

/**
 * jwcrypto's RS sizes: 64 → 512-bit, 128 → 1024-bit, 256 → 2048-bit moduli, all
 * signing with SHA-256. Its key generator makes a modulus one bit short about
 * half the time, and its verifier accepts one bit off: so do we (N-1 or N).
 */
function rsaAlgorithm(bits: number): BrowserIdAlgorithm | undefined {
  if (bits === 2048 || bits === 2047) return 'RS256'
  if (bits === 1024 || bits === 1023) return 'RS128'
  if (bits === 512 || bits === 511) return 'RS64'
  return undefined
}

function importDsa(record: Record<string, unknown>): BrowserIdPublicKey {
  const parts: Record<'y' | 'p' | 'q' | 'g', Buffer> = { y: Buffer.alloc(0), p: Buffer.alloc(0), q: Buffer.alloc(0), g: Buffer.alloc(0) }
  for (const name of ['y', 'p', 'q', 'g'] as const) {
    const value = record[name]
    if (typeof value !== 'string' || !HEX.test(value)) throw new TypeError(`DS public-key needs hex ${name}`)
    parts[name] = bigintBytes(BigInt('0x' + value))
  }
  const pBits = bitLength(parts.p)
  const qBits = bitLength(parts.q)
  // jwcrypto's DS sizes: 128 → 1024/160 with SHA-1, 256 → 2048/256 with SHA-256.
  const algorithm: BrowserIdAlgorithm | undefined = pBits === 1024 && qBits === 160 ? 'DS128' : pBits === 2048 && qBits === 256 ? 'DS256' : undefined
  if (!algorithm) throw new TypeError(`DS public-key has unsupported sizes (${pBits}/${qBits} bits)`)
  checkDsaParameters(parts)
  let key: KeyObject
  try {
    key = createPublicKey({ key: dsaSpki(parts), format: 'der', type: 'spki' })
  } catch {
    throw new TypeError('DS public-key does not import')
  }
  return { algorithm, key, hash: algorithm === 'DS128' ? 'sha1' : 'sha256', signatureBytes: 2 * Math.ceil(qBits / 8), dsa: true }
}

/** The BrowserID JSON form of an RSA or DSA public (or private) key: what certificates and support documents publish. */
export function exportBrowserIdPublicKey(key: KeyObject): BrowserIdPublicKeyJson {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  if (publicKey.asymmetricKeyType === 'rsa') {
    const jwk = publicKey.export({ format: 'jwk' })
    return { algorithm: 'RS', n: BigInt('0x' + Buffer.from(jwk.n!, 'base64url').toString('hex')).toString(10), e: BigInt('0x' + Buffer.from(jwk.e!, 'base64url').toString('hex')).toString(10) }
  }
  if (publicKey.asymmetricKeyType === 'dsa') {
    const { y, p, q, g } = readDsaSpki(publicKey.export({ format: 'der', type: 'spki' }))
    const hex = (b: Buffer) => b.toString('hex').replace(/^0+(?=.)/, '')
    return { algorithm: 'DS', y: hex(y), p: hex(p), q: hex(q), g: hex(g) }
  }
  throw new TypeError(`BrowserID keys are RSA or DSA, not ${publicKey.asymmetricKeyType}`)
}

function bigintBytes(value: bigint): Buffer {
  let hex = value.toString(16)
  if (hex.length % 2) hex = '0' + hex
  return Buffer.from(hex, 'hex')
}

function bitLength(bytes: Buffer): number {
  if (bytes.length === 0) return 0
  return (bytes.length - 1) * 8 + bytes[0]!.toString(2).length
}
