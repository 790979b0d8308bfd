import { constants, createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto'

/** base64url of the JSON text of a value. */
export const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** base64url of raw text: for headers and payloads that are deliberately not (or oddly) JSON. */
export const encodeText = (text: string): string => Buffer.from(text).toString('base64url')

/**
 * The JWS signature of `signingInput` under `alg`, computed with node:crypto
 * whatever the key: the attack table signs with keys and algorithms a route
 * must refuse (HS256 keyed with a public key, PS256 with an RS256 key...).
 */
export function signatureOf(signingInput: string, alg: string, key: KeyObject | Buffer): string {
  const input = Buffer.from(signingInput)
  const hash = /(\d{3})$/.exec(alg)?.[1]
  switch (alg.slice(0, 2).toUpperCase()) {
    case 'HS':
      return createHmac(`sha${hash ?? '256'}`, key)
        .update(input)
        .digest('base64url')
    case 'RS':
      return cryptoSign(`sha${hash ?? '256'}`, input, key).toString('base64url')
    case 'PS':
      return cryptoSign(`sha${hash ?? '256'}`, input, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64url')
    case 'ES':
      return cryptoSign('sha256', input, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    default:
      // EdDSA and its fully specified name Ed25519.
      return cryptoSign(null, input, key).toString('base64url')
  }
}

/** A compact JWS of a header and claims, signed as `alg` says with `key`. */
export function signJwt(header: Record<string, unknown>, claims: unknown, key: KeyObject | Buffer, alg = String(header.alg)): string {
  const input = `${encodeJson(header)}.${encodeJson(claims)}`
  return `${input}.${signatureOf(input, alg, key)}`
}

/** An ECDSA signature re-encoded from JWS's raw r||s into ASN.1 DER, which JWS forbids. */
export function derFromRawSignature(raw: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    let value = bytes.subarray(start)
    if (value[0]! & 0x80) value = Buffer.concat([Buffer.from([0]), value])
    return Buffer.concat([Buffer.from([0x02, value.length]), value])
  }
  const half = raw.length / 2
  const body = Buffer.concat([integer(raw.subarray(0, half)), integer(raw.subarray(half))])
  return Buffer.concat([Buffer.from([0x30, body.length]), body])
}
