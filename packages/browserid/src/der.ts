/**
 * The few DER pieces BrowserID needs: node:crypto imports DSA public keys
 * only as SPKI (no JWK for DSA), so the key is written here, and read back
 * when a generated key must be published in BrowserID's JSON form.
 */

const DSA_OID = Buffer.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]) // 1.2.840.10040.4.1

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content])
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function derInteger(magnitude: Buffer): Buffer {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  let body = magnitude.subarray(start)
  if (body.length === 0) body = Buffer.from([0])
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body])
  return tlv(0x02, body)
}

export function derSequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items))
}

/** SubjectPublicKeyInfo of a DSA key (RFC 3279 §2.3.2). */
export function dsaSpki(parts: { p: Buffer; q: Buffer; g: Buffer; y: Buffer }): Buffer {
  const algorithm = derSequence(DSA_OID, derSequence(derInteger(parts.p), derInteger(parts.q), derInteger(parts.g)))
  const key = derInteger(parts.y)
  return derSequence(algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), key])))
}

interface Node {
  tag: number
  content: Buffer
  end: number
}

function read(buffer: Buffer, offset: number): Node {
  const tag = buffer[offset]
  const first = buffer[offset + 1]
  if (tag === undefined || first === undefined) throw new Error('truncated DER')
  let position = offset + 2
  let size = first
  if (first & 0x80) {
    const count = first & 0x7f
    if (count === 0 || count > 4) throw new Error('unsupported DER length')
    size = 0
    for (let i = 0; i < count; i++) size = size * 256 + buffer[position + i]!
    position += count
  }
  if (position + size > buffer.length) throw new Error('truncated DER')
  return { tag, content: buffer.subarray(position, position + size), end: position + size }
}

function children(node: Node): Node[] {
  const out: Node[] = []
  for (let offset = 0; offset < node.content.length; offset = out[out.length - 1]!.end) out.push(read(node.content, offset))
  return out
}

function unsigned(node: Node): Buffer {
  if (node.tag !== 0x02) throw new Error('expected INTEGER')
  let start = 0
  while (start < node.content.length - 1 && node.content[start] === 0) start++
  return node.content.subarray(start)
}

/** p, q, g, y of a DSA SubjectPublicKeyInfo. */
export function readDsaSpki(der: Buffer): { p: Buffer; q: Buffer; g: Buffer; y: Buffer } {
  const [algorithm, bitString] = children(read(der, 0))
  if (!algorithm || !bitString || bitString.tag !== 0x03) throw new Error('not a SubjectPublicKeyInfo')
  const [oid, params] = children(algorithm)
  if (!oid || !params || !oid.content.equals(DSA_OID.subarray(2))) throw new Error('not a DSA key')
  const [p, q, g] = children(params)
  if (!p || !q || !g) throw new Error('DSA parameters are incomplete')
  const y = read(bitString.content.subarray(1), 0)
  return { p: unsigned(p), q: unsigned(q), g: unsigned(g), y: unsigned(y) }
}
