import type { JsonSchema } from '@polytoken/core'

/** One key of a key ring (core's KeySource). */
export const keySourceSchema: JsonSchema = {
  type: 'object',
  description: 'One key: a JWK (object or file path), a PEM (text or file path), or an HS256 secret.',
  properties: {
    jwk: { type: ['object', 'string'], description: 'A JWK object, or the path of a JSON file holding one.' },
    pem: { type: 'string', description: 'PEM text, or the path of a PEM file: private key, public key or certificate.' },
    secret: { type: 'string', description: 'HS256 only: the shared secret (UTF-8), at least 32 bytes.' },
    kid: { type: 'string', description: 'Key id put in the token header; default: derived from the key.' },
    use: { enum: ['sign', 'verify'], description: '`sign` (default for the first private key) or `verify` (accepted, never used to sign).' },
    x5c: { type: 'array', items: { type: 'string' }, description: 'Certificate chain (base64 DER) for the `x5c` header of tokens signed with this key.' },
  },
  additionalProperties: false,
}

export function keysSchema(description: string): JsonSchema {
  return { type: 'array', items: keySourceSchema, description }
}

/** core's PasswordHashOptions: scrypt cost. */
export function passwordHashSchema(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    properties: {
      N: { type: 'integer', minimum: 2, description: 'scrypt CPU/memory cost, a power of two.' },
      r: { type: 'integer', minimum: 1, description: 'scrypt block size.' },
      p: { type: 'integer', minimum: 1, description: 'scrypt parallelism.' },
    },
    additionalProperties: false,
  }
}
