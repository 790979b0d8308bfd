import { X509Certificate, randomBytes, webcrypto } from 'node:crypto'
import type * as X509 from '@peculiar/x509'
import { KeyInvalid, type RingKey, type Store } from '@polytoken/core'

/** The certificate a registry trusts (its `rootcertbundle`), for the signing key. */
export interface CrewCertificate {
  /** PEM text: write it to a file and point the registry's rootcertbundle at it. */
  pem: string
  /** Base64 DER, as the `x5c` header carries it. */
  der: string
  /** libtrust key ID of the certified key: the `kid` of every token. */
  kid: string
  /** Epoch milliseconds. */
  notAfter: number
}

interface StoredCertificate {
  pem: string
  notAfter: number
}

// @peculiar/x509 is typed against the DOM's Crypto (not in this build's lib, so unchecked); node's webcrypto is that object.
const webCrypto = webcrypto

/**
 * Loaded on first use: @peculiar/x509 (through tsyringe) needs the Reflect
 * metadata polyfill in place before it evaluates, and only a start-up that
 * generates a certificate needs either.
 */
async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata')
  return import('@peculiar/x509')
}
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A self-signed certificate for the signing key, made once per key and kept
 * in the store, so every instance and every restart hands out the same bytes.
 * A key configured with its own `x5c` uses that certificate instead.
 */
export async function loadCertificate(key: RingKey, options: { store: Store; subject: string; lifetimeDays: number; now: number }): Promise<CrewCertificate> {
  if (key.x5c && key.x5c.length > 0) return fromDer(key.x5c[0]!, key)
  const recordKey = `certificate:${key.kid}`
  const stored = await options.store.get<StoredCertificate>(recordKey)
  // Renewed a month before it runs out; the registry needs the new bundle then.
  if (stored && stored.notAfter - options.now > 30 * DAY_MS) return fromPem(stored.pem, key)
  const created = await createSelfSigned(key, options.subject, options.lifetimeDays, options.now)
  const record: StoredCertificate = { pem: created.pem, notAfter: created.notAfter }
  if (stored) await options.store.set(recordKey, record)
  else if (!(await options.store.add(recordKey, record))) {
    // Another instance made one at the same moment: use theirs.
    const winner = await options.store.get<StoredCertificate>(recordKey)
    if (winner) return fromPem(winner.pem, key)
  }
  return created
}

async function createSelfSigned(key: RingKey, subject: string, lifetimeDays: number, now: number): Promise<CrewCertificate> {
  if (!key.signingKey) throw new KeyInvalid('crew: the signing key has no private part to certify')
  const x509 = await loadX509()
  const algorithm = key.algorithm === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const privateKey = await webCrypto.subtle.importKey('pkcs8', key.signingKey.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign'])
  const publicKey = await webCrypto.subtle.importKey('spki', key.verifyKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify'])
  const serial = randomBytes(16)
  // A positive DER integer without a leading zero byte: Go's x509 rejects negative serials.
  serial[0] = (serial[0]! & 0x7f) | 0x40
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: `CN=${escapeDn(subject)}`,
      notBefore: new Date(now - 60 * 60 * 1000),
      notAfter: new Date(now + lifetimeDays * DAY_MS),
      signingAlgorithm: key.algorithm === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      keys: { privateKey, publicKey },
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webCrypto),
      ],
    },
    webCrypto,
  )
  return fromPem(certificate.toString('pem'), key)
}

/**
 * RFC 4514 escaping. The text form, not @peculiar/x509's JSON names, which
 * mangle values holding quotes ('a "b" c' became 'b').
 */
function escapeDn(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, '\\$&')
    .replace(/^[ #]/, '\\$&')
    .replace(/ $/, '\\ ')
}

function fromDer(der: string, key: RingKey): CrewCertificate {
  const body = der.match(/.{1,64}/g)!.join('\n')
  return fromPem(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`, key)
}

function fromPem(pem: string, key: RingKey): CrewCertificate {
  let parsed: X509Certificate
  try {
    parsed = new X509Certificate(pem)
  } catch (cause) {
    throw new KeyInvalid('crew: the signing certificate cannot be parsed', { cause })
  }
  if (!parsed.publicKey.equals(key.verifyKey)) throw new KeyInvalid(`crew: the certificate does not certify the signing key "${key.kid}"`)
  const text = pem.endsWith('\n') ? pem : `${pem}\n`
  return { pem: text, der: parsed.raw.toString('base64'), kid: key.kid, notAfter: Date.parse(parsed.validTo) }
}
