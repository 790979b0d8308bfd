import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject, type JsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { ConfigInvalid, KeyInvalid } from '../errors.js'
import type { Store } from '../storage/store.js'
import { seal, unseal } from './seal.js'
import { assertStrongHs256Key } from './secret-strength.js'

export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256' | 'EdDSA'
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'ES256', 'RS256', 'EdDSA']

/**
 * Derives the `kid` of an asymmetric key that has none configured, e.g. the libtrust key ID a Docker registry looks
 * up. Default: the RFC 7638 thumbprint.
 */
export type KidFunction = (publicKey: KeyObject, publicJwk: JWK) => string | Promise<string>

/** One configured key. Exactly one of jwk, pem, secret. */
export interface KeySource {
  /** A JWK object, or the path of a JSON file holding one. */
  jwk?: JWK | string
  /** PEM text, or the path of a PEM file: private key, public key or certificate. */
  pem?: string
  /** HS256 only: the shared secret (UTF-8). */
  secret?: string
  kid?: string
  /** `sign` (default for the first private key) or `verify` (accepted, never used to sign). */
  use?: 'sign' | 'verify'
  /** Certificate chain (base64 DER) to put in the `x5c` header of tokens signed with this key. */
  x5c?: string[]
}

export interface KeyRingOptions {
  /** Record name in the store for a generated key; unique within the dialect. */
  name: string
  algorithm: JwtAlgorithm
  keys?: KeySource[]
  /** How a configured or generated public key without a `kid` gets one. Default: its RFC 7638 thumbprint. */
  kid?: KidFunction
  /** Generate and persist a key when none is configured. Default true. */
  generate?: boolean
  /** Where `keys` sits in the configuration, for error messages (`prodmanager.keys`). Default `keys.<name>`. */
  path?: string
}

export interface RingKey {
  readonly kid: string
  readonly algorithm: JwtAlgorithm
  readonly use: 'sign' | 'verify'
  /** Private or secret key; present on keys that can sign. */
  readonly signingKey: KeyObject | undefined
  /** Public or secret key used to verify. */
  readonly verifyKey: KeyObject
  /** Public JWK for the JWKS; undefined for HS256. */
  readonly publicJwk: JWK | undefined
  readonly x5c: string[] | undefined
}

export interface KeyRing {
  readonly name: string
  readonly algorithm: JwtAlgorithm
  /** The key that signs new tokens. */
  readonly active: RingKey
  readonly keys: readonly RingKey[]
  find(kid: string | undefined): RingKey | undefined
  /** Public JWKs of every asymmetric key (signing and verify-only). */
  publicJwks(): JWK[]
}

interface SealedKeyRecord {
  kid: string
  algorithm: JwtAlgorithm
  createdAt: number
  sealed: string
}

export interface KeyRingContext {
  /** Where generated keys are persisted (the dialect's namespace). */
  store: Store
  /** Seals generated private keys in the store; required to generate. */
  masterKey: string | undefined
}

export async function loadKeyRing(options: KeyRingOptions, context: KeyRingContext): Promise<KeyRing> {
  const where = options.path ?? `keys.${options.name}`
  const keys: RingKey[] = []
  for (const [index, source] of (options.keys ?? []).entries()) {
    keys.push(await loadSource(source, options, `${where}[${index}]`))
  }
  if (!keys.some((key) => key.use === 'sign')) {
    if (options.generate === false) {
      throw new ConfigInvalid(`${where}: no signing key configured and generation is off`)
    }
    keys.unshift(await loadOrGenerate(options, context))
  }
  const kids = new Set<string>()
  for (const key of keys) {
    if (kids.has(key.kid)) throw new KeyInvalid(`${where}: two keys share kid "${key.kid}"; give each its own kid`)
    kids.add(key.kid)
  }
  const active = keys.find((key) => key.use === 'sign')!
  const byKid = new Map(keys.map((key) => [key.kid, key]))
  return {
    name: options.name,
    algorithm: options.algorithm,
    active,
    keys,
    find: (kid) => (kid === undefined ? undefined : byKid.get(kid)),
    publicJwks: () => keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])),
  }
}

async function loadSource(source: KeySource, options: KeyRingOptions, where: string): Promise<RingKey> {
  const given = [source.jwk, source.pem, source.secret].filter((v) => v !== undefined).length
  if (given !== 1) throw new ConfigInvalid(`${where}: give exactly one of jwk, pem, secret`)
  let signingKey: KeyObject | undefined
  let verifyKey: KeyObject
  let kid = source.kid
  try {
    if (source.secret !== undefined) {
      if (options.algorithm !== 'HS256') throw new ConfigInvalid(`${where}: secret keys are for HS256 only`)
      const material = Buffer.from(source.secret, 'utf8')
      assertStrongHs256Key(`${where}.secret`, material)
      signingKey = verifyKey = createSecretKey(material)
      // Deterministic so every instance with the same configuration agrees.
      kid ??= where.endsWith('[0]') ? options.name : `${options.name}-${where.slice(where.lastIndexOf('[') + 1, -1)}`
    } else if (source.jwk !== undefined) {
      const jwk = readJwk(source.jwk)
      kid ??= jwk.kid
      if (jwk.kty === 'oct') {
        const material = Buffer.from(jwk.k ?? '', 'base64url')
        assertStrongHs256Key(`${where}.jwk`, material)
        signingKey = verifyKey = createSecretKey(material)
      } else if (jwk.d !== undefined) {
        signingKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
        verifyKey = createPublicKey(signingKey)
      } else {
        verifyKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
      }
    } else {
      const text = source.pem!.includes('-----BEGIN') ? source.pem! : readFileSync(source.pem!, 'utf8')
      if (text.includes('PRIVATE KEY-----')) {
        signingKey = createPrivateKey(text)
        verifyKey = createPublicKey(signingKey)
      } else if (text.includes('CERTIFICATE-----')) {
        verifyKey = new X509Certificate(text).publicKey
      } else {
        verifyKey = createPublicKey(text)
      }
    }
  } catch (cause) {
    if (cause instanceof ConfigInvalid) throw cause
    throw new KeyInvalid(`${where}: cannot load the key (${(cause as Error).message})`, { cause })
  }
  checkKeyFitsAlgorithm(verifyKey, options.algorithm, where)
  const use = source.use ?? (signingKey ? 'sign' : 'verify')
  if (use === 'sign' && !signingKey) throw new ConfigInvalid(`${where}: use "sign" needs a private key`)
  return buildRingKey({ algorithm: options.algorithm, use, signingKey, verifyKey, kid, deriveKid: options.kid, x5c: source.x5c, where })
}

/**
 * The bytes of a symmetric key source (`secret`, or a JWK of kty "oct", inline or in a file), or undefined for
 * asymmetric keys: what to compare when two configured keys must not be the same key in different spellings.
 */
export function secretKeyMaterial(source: KeySource): Buffer | undefined {
  if (typeof source?.secret === 'string') return Buffer.from(source.secret, 'utf8')
  if (source?.jwk === undefined) return undefined
  const jwk = readJwk(source.jwk)
  return jwk.kty === 'oct' ? Buffer.from(jwk.k ?? '', 'base64url') : undefined
}

function readJwk(jwk: JWK | string): JWK {
  return typeof jwk === 'string' ? (JSON.parse(readFileSync(jwk, 'utf8')) as JWK) : jwk
}

async function loadOrGenerate(options: KeyRingOptions, context: KeyRingContext): Promise<RingKey> {
  const where = `keys.${options.name}`
  if (!context.masterKey) {
    throw new ConfigInvalid(`masterKey: required to seal the generated ${options.algorithm} key for "${options.name}" (or configure ${where} keys)`)
  }
  const recordKey = `keyring:${options.name}:${options.algorithm}`
  let record = await context.store.get<SealedKeyRecord>(recordKey)
  if (!record) {
    const fresh = generate(options.algorithm)
    const ringKey = await buildRingKey({ ...fresh, algorithm: options.algorithm, use: 'sign', kid: undefined, deriveKid: options.kid, x5c: undefined, where })
    const candidate: SealedKeyRecord = {
      kid: ringKey.kid,
      algorithm: options.algorithm,
      createdAt: Date.now(),
      sealed: seal(context.masterKey, JSON.stringify(fresh.signingKey.export({ format: 'jwk' }))),
    }
    // Several instances may start at once: the first writer wins, the rest load its key.
    if (await context.store.add(recordKey, candidate)) return ringKey
    record = await context.store.get<SealedKeyRecord>(recordKey)
    if (!record) throw new KeyInvalid(`${where}: generated key record vanished from the store`)
  }
  const jwk = JSON.parse(unseal(context.masterKey, record.sealed)) as JsonWebKey
  const signingKey = jwk.kty === 'oct' ? createSecretKey(Buffer.from(jwk.k ?? '', 'base64url')) : createPrivateKey({ key: jwk, format: 'jwk' })
  const verifyKey = signingKey.type === 'secret' ? signingKey : createPublicKey(signingKey)
  return buildRingKey({ algorithm: record.algorithm, use: 'sign', signingKey, verifyKey, kid: record.kid, deriveKid: options.kid, x5c: undefined, where })
}

function generate(algorithm: JwtAlgorithm): { signingKey: KeyObject; verifyKey: KeyObject } {
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

function checkKeyFitsAlgorithm(key: KeyObject, algorithm: JwtAlgorithm, where: string): void {
  const ok =
    (algorithm === 'HS256' && key.type === 'secret') ||
    (algorithm === 'ES256' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (algorithm === 'RS256' && key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) ||
    (algorithm === 'EdDSA' && key.asymmetricKeyType === 'ed25519')
  if (!ok) throw new KeyInvalid(`${where}: the key does not fit ${algorithm}`)
}

interface BuildInput {
  algorithm: JwtAlgorithm
  use: 'sign' | 'verify'
  signingKey: KeyObject | undefined
  verifyKey: KeyObject
  kid: string | undefined
  deriveKid: KidFunction | undefined
  x5c: string[] | undefined
  where: string
}

async function buildRingKey(input: BuildInput): Promise<RingKey> {
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
    kid ??= randomBytes(12).toString('base64url')
  }
  return { kid, algorithm, use: input.use, signingKey: input.signingKey, verifyKey, publicJwk, x5c: input.x5c }
}
