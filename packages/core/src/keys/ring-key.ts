import { createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { KeyInvalid } from '../errors.js'
import type { JwtAlgorithm, KidFunction, RingKey } from './keyring.js'

/** A new key pair (or HS256 secret) for the algorithm. */
export function generateKeyPair(algorithm: JwtAlgorithm): { signingKey: KeyObject; verifyKey: KeyObject } {
  switch (algorithm) {
    case 'HS256': {
      const secret = createSecretKey(randomBytes(32))
      return { signingKey: secret, verifyKey: secret }
    }
    case 'ES256': {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      return { signingKey: pair.privateKey, verifyKey: pair.publicKey }
    }
    case 'RS256': {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
      return { signingKey: pair.privateKey, verifyKey: pair.publicKey }
    }
    case 'EdDSA': {
      const pair = generateKeyPairSync('ed25519')
      return { signingKey: pair.privateKey, verifyKey: pair.publicKey }
    }
  }
}

export function checkKeyFitsAlgorithm(key: KeyObject, algorithm: JwtAlgorithm, where: string): void {
  const ok =
    (algorithm === 'HS256' && key.type === 'secret') ||
    (algorithm === 'ES256' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (algorithm === 'RS256' && key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) ||
    (algorithm === 'EdDSA' && key.asymmetricKeyType === 'ed25519')
  if (!ok) throw new KeyInvalid(`${where}: the key does not fit ${algorithm}`)
}

export interface BuildInput {
  algorithm: JwtAlgorithm
  use: 'sign' | 'verify'
  signingKey: KeyObject | undefined
  verifyKey: KeyObject
  kid: string | undefined
  deriveKid: KidFunction | undefined
  x5c: string[] | undefined
  where: string
}

export async function buildRingKey(input: BuildInput): Promise<RingKey> {
  const { algorithm, verifyKey } = input
  let publicJwk: JWK | undefined
  let kid = input.kid
  if (verifyKey.type === 'public') {
    const exported = verifyKey.export({ format: 'jwk' }) as JWK
    kid ??= input.deriveKid ? await input.deriveKid(verifyKey, exported) : await calculateJwkThumbprint(exported)
    if (typeof kid !== 'string' || kid === '') throw new KeyInvalid(`${input.where}: the kid function gave no kid`)
    publicJwk = { ...exported, kid, alg: algorithm, use: 'sig' }
  } else {
    // A derived kid would let anyone test guesses of a weak secret offline, so HS256 kids are random or configured.
    // Hex, not base64url: a kid is typed as a command argument (`polytoken keys promote`), where a leading '-' reads as an option.
    kid ??= randomBytes(12).toString('hex')
  }
  return { kid, algorithm, use: input.use, signingKey: input.signingKey, verifyKey, publicJwk, x5c: input.x5c }
}
