import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { KeyInvalid } from '../errors.js'
import { hkdfSha256 } from './hkdf.js'

/**
 * Private keys that polytoken generates are stored sealed (AES-256-GCM under
 * a key derived from the configured master key), never in clear.
 */
function deriveKey(masterKey: string): Buffer {
  return hkdfSha256(Buffer.from(masterKey, 'utf8'), Buffer.alloc(0), 'polytoken/sealed-keys/v1', 32)
}

/**
 * `context` (v2) is authenticated with the ciphertext: a sealed key names where it belongs (namespace, ring, kid), so
 * someone who can write the store cannot move it to another ring or give it another kid. Without it: v1, as the
 * keys generated before rings rotated were sealed (still read).
 */
export function seal(masterKey: string, plaintext: string, context?: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', deriveKey(masterKey), iv)
  if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [context === undefined ? 'v1' : 'v2', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
}

/** `context` must be the one the key was sealed with (v2); a v1 record has none. */
export function unseal(masterKey: string, sealed: string, context?: string): string {
  const [version, iv, body, tag] = sealed.split('.')
  if ((version !== 'v1' && version !== 'v2') || !iv || !body || !tag) throw new KeyInvalid('sealed key record is malformed')
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(masterKey), Buffer.from(iv, 'base64url'))
    if (version === 'v2') decipher.setAAD(Buffer.from(context ?? '', 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch (cause) {
    throw new KeyInvalid('cannot unseal a stored key: the master key differs from the one that sealed it, or the sealed key was moved to another ring or kid', { cause })
  }
}
