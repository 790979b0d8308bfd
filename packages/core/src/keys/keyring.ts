import { createPrivateKey, createPublicKey, createSecretKey, X509Certificate, type KeyObject, type JsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { ConfigInvalid, KeyInvalid } from '../errors.js'
import type { Store } from '../storage/store.js'
import { buildRingKey, checkKeyFitsAlgorithm } from './ring-key.js'
import { assertStrongHs256Key } from './secret-strength.js'
import { openStoredKeys, type StoredKeys } from './stored-keys.js'

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

/**
 * A dialect's keys. Live: when the ring's stored keys rotate (polytoken keys generate|promote|retire), `active`,
 * `keys`, `find` and `publicJwks` answer with the new keys once this process has re-read the store (the runtime's
 * keyRefreshMs), so read them per request rather than keeping what they returned at setup.
 */
export interface KeyRing {
  readonly name: string
  readonly algorithm: JwtAlgorithm
  /** The key that signs new tokens. */
  readonly active: RingKey
  /** Every key a token may be verified with: the active key first. The same array until the ring changes. */
  readonly keys: readonly RingKey[]
  find(kid: string | undefined): RingKey | undefined
  /** Public JWKs of every asymmetric key (signing, next and verify-only). */
  publicJwks(): JWK[]
}

export interface KeyRingContext {
  /** Where generated keys are persisted (the dialect's namespace). */
  store: Store
  /** Seals generated private keys in the store; required to generate. */
  masterKey: string | undefined
  /** "Now" for the dates of generated keys. Default Date.now. */
  now?: () => number
}

/** A ring and what the runtime needs to refresh and administer it. */
export interface OpenedKeyRing {
  readonly ring: KeyRing
  readonly options: KeyRingOptions
  /** Keys from the configuration: never rotated by the CLI. */
  readonly configured: readonly RingKey[]
  /** The generated keys kept in the store; undefined when a signing key is configured. */
  readonly stored: StoredKeys | undefined
}

export async function loadKeyRing(options: KeyRingOptions, context: KeyRingContext): Promise<KeyRing> {
  return (await openKeyRing(options, context)).ring
}

export async function openKeyRing(options: KeyRingOptions, context: KeyRingContext): Promise<OpenedKeyRing> {
  const where = options.path ?? `keys.${options.name}`
  const configured: RingKey[] = []
  for (const [index, source] of (options.keys ?? []).entries()) {
    configured.push(await loadSource(source, options, `${where}[${index}]`))
  }
  const kids = new Set<string>()
  for (const key of configured) {
    if (kids.has(key.kid)) throw new KeyInvalid(`${where}: two keys share kid "${key.kid}"; give each its own kid`)
    kids.add(key.kid)
  }
  let stored: StoredKeys | undefined
  if (!configured.some((key) => key.use === 'sign')) {
    if (options.generate === false) throw new ConfigInvalid(`${where}: no signing key configured and generation is off`)
    stored = await openStoredKeys({
      name: options.name,
      algorithm: options.algorithm,
      kid: options.kid,
      store: context.store,
      masterKey: context.masterKey,
      reservedKids: kids,
      now: context.now ?? Date.now,
      where,
    })
  }
  return { ring: createLiveRing(options, configured, stored), options, configured, stored }
}

interface RingSnapshot {
  active: RingKey
  keys: readonly RingKey[]
  byKid: ReadonlyMap<string, RingKey>
  jwks: JWK[]
}

/** One object for the dialect's lifetime, answering from the latest snapshot of its keys. */
function createLiveRing(options: KeyRingOptions, configured: readonly RingKey[], stored: StoredKeys | undefined): KeyRing {
  const build = (): RingSnapshot => {
    const keys = [...(stored?.current.map((loaded) => loaded.key) ?? []), ...configured]
    return {
      active: keys.find((key) => key.use === 'sign')!,
      keys,
      byKid: new Map(keys.map((key) => [key.kid, key])),
      jwks: keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])),
    }
  }
  let snapshot = build()
  stored?.onChange(() => (snapshot = build()))
  return {
    name: options.name,
    algorithm: options.algorithm,
    get active() {
      return snapshot.active
    },
    get keys() {
      return snapshot.keys
    },
    find: (kid) => (kid === undefined ? undefined : snapshot.byKid.get(kid)),
    publicJwks: () => [...snapshot.jwks],
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
