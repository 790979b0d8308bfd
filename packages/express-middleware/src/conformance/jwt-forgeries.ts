import { createPrivateKey, createSecretKey, generateKeyPairSync, KeyObject, randomBytes, X509Certificate, type JsonWebKey } from 'node:crypto'
import { ATTACKER_CERTIFICATES } from './jwt-attacker-certificates.js'
import { derFromRawSignature, encodeJson, encodeText, signJwt, signatureOf } from './jwt-signing.js'

export type JwtRouteAlgorithm = 'HS256' | 'ES256' | 'RS256' | 'EdDSA'

/** A key the application holds for something else (another ring, another dialect): its tokens must not pass here. */
export interface ForeignKey {
  /** What to call it in failure messages. */
  name: string
  algorithm: JwtRouteAlgorithm
  /** HS256: the secret; otherwise the private key. */
  key: KeyObject
  /** The kid its tokens carry, if any. */
  kid?: string
}

/** What the table knows about the route and the valid token it forges from. */
export interface ForgeryInput {
  /** A token the route accepts. */
  token: string
  algorithm: JwtRouteAlgorithm
  /** The route's own signing key (HS256 secret or private key), when the test has it. */
  signingKey: KeyObject | undefined
  /** The route's public key (ES256/RS256/EdDSA). */
  publicKey: KeyObject | undefined
  /** The public key exactly as the route publishes it in its JWKS, when it does. */
  publishedJwk: Record<string, unknown> | undefined
  /** The iss and aud the route requires; undefined when it checks none. */
  issuer: string | undefined
  audience: string | undefined
  /** Seconds the route tolerates on exp and nbf; the table goes an hour past it. */
  leewaySec: number
  /** The route's "now", epoch seconds. */
  now: number
  /** Base URL of a server the route must never contact (jku, x5u). */
  canaryUrl: string
  foreignKeys: readonly ForeignKey[]
}

/** One forged or broken token, and why it must be refused. */
export interface JwtForgery {
  group: string
  name: string
  token: string
}

/** What the canary server hands out if anything ever asks: a JWKS and certificates of the attacker's keys. */
export interface CanaryContent {
  jwks: { keys: Record<string, unknown>[] }
  certificates: Record<string, string>
}

interface AttackerKey {
  algorithm: JwtRouteAlgorithm
  privateKey: KeyObject
  publicJwk: Record<string, unknown>
}

const SIGNATURE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const ASYMMETRIC: readonly JwtRouteAlgorithm[] = ['ES256', 'RS256', 'EdDSA']
const NONE_CASINGS = ['none', 'None', 'NONE', 'nOnE']
const INJECTED_KIDS = ['../../../../../../../dev/null', '/dev/null', "' OR '1'='1", "x' UNION SELECT 'attacker' -- ", '| cat /etc/passwd', '__proto__', 'constructor', 'toString', 'k'.repeat(8000)]

/** Fresh attacker keys, one per asymmetric algorithm (RSA generation is the slow one: made once per table). */
function attackerKeys(): AttackerKey[] {
  const pairs = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    EdDSA: generateKeyPairSync('ed25519'),
  }
  return ASYMMETRIC.map((algorithm) => {
    const { privateKey, publicKey } = pairs[algorithm as keyof typeof pairs]
    return { algorithm, privateKey, publicJwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), alg: algorithm, use: 'sig', kid: `attacker-${algorithm}` } }
  })
}

function split(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; parts: [string, string, string] } {
  const parts = token.split('.')
  if (parts.length !== 3) throw new TypeError('jwt attack table: the valid token is not a compact JWS')
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
  return { header: decode(parts[0]!), claims: decode(parts[1]!), parts: parts as [string, string, string] }
}

/** Builds the table. `canary` receives what the canary server would serve, so it can serve it. */
export function jwtForgeries(input: ForgeryInput): { forgeries: JwtForgery[]; canary: CanaryContent } {
  const { header, claims, parts } = split(input.token)
  const [head, body, signature] = parts
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const withKid = (h: Record<string, unknown>, k = kid) => (k === undefined ? h : { ...h, kid: k })
  const forgeries: JwtForgery[] = []
  const add = (group: string, name: string, token: string) => forgeries.push({ group, name, token })
  const realKey = input.signingKey
  /** The route's own algorithm and key: the refusal must come from what was changed, not from the signature. */
  const signReal = (h: Record<string, unknown>, c: unknown, alg: string = input.algorithm) => signJwt(h, c, realKey!, alg)
  const signRealRaw = (headerSegment: string, payloadSegment: string, alg: string = input.algorithm) =>
    `${headerSegment}.${payloadSegment}.${realKey ? signatureOf(`${headerSegment}.${payloadSegment}`, alg, realKey) : signature}`
  const attackers = attackerKeys()
  const oct = randomBytes(32)
  const octJwk = { kty: 'oct', k: oct.toString('base64url'), alg: 'HS256', kid: 'attacker-HS256' }
  const canary: CanaryContent = { jwks: { keys: [...attackers.map((a) => a.publicJwk), octJwk] }, certificates: {} }

  // alg "none" in every casing, with an empty, a garbage and the original signature.
  for (const alg of NONE_CASINGS) {
    for (const [what, sig] of [
      ['empty', ''],
      ['garbage', 'Z2FyYmFnZQ'],
      ['original', signature],
    ] as const) {
      add('alg none', `alg "${alg}", ${what} signature`, `${encodeJson({ ...header, alg })}.${body}.${sig}`)
    }
    add('alg none', `alg "${alg}" without kid or typ, empty signature`, `${encodeJson({ alg })}.${body}.`)
  }

  // A missing or odd alg, signed with the real key where the test has it.
  for (const [what, alg] of [
    ['missing', undefined],
    ['null', null],
    ['a number', 256],
    ['an array', [input.algorithm]],
    ['an object', { name: input.algorithm }],
    ['empty', ''],
  ] as const) {
    const odd: Record<string, unknown> = { ...header, alg }
    if (alg === undefined) delete odd.alg
    add('odd alg', `alg ${what}`, signRealRaw(encodeJson(odd), body))
  }

  // The route's own key with another algorithm name: the route's algorithm is fixed, not the token's to choose.
  if (realKey) {
    const substitutes: Record<JwtRouteAlgorithm, string[]> = {
      HS256: ['HS384', 'HS512', 'hs256', 'Hs256'],
      RS256: ['RS384', 'RS512', 'PS256', 'rs256'],
      ES256: ['es256', 'Es256'],
      EdDSA: ['Ed25519', 'eddsa', 'EDDSA'],
    }
    for (const alg of substitutes[input.algorithm]) add('algorithm substitution', `real key, alg "${alg}"`, signReal({ ...header, alg }, claims, alg))
  }

  // HS/RS and HS/ES confusion: HMAC keyed with the public key in every text form a verifier might hold it in.
  if (input.publicKey) {
    const pem = input.publicKey.export({ format: 'pem', type: 'spki' }).toString()
    const forms: Array<[string, Buffer]> = [
      ['SPKI PEM', Buffer.from(pem)],
      ['SPKI PEM without the final newline', Buffer.from(pem.trimEnd())],
      ['SPKI DER', input.publicKey.export({ format: 'der', type: 'spki' })],
      ['JWK JSON', Buffer.from(JSON.stringify(input.publicKey.export({ format: 'jwk' })))],
    ]
    if (input.publicKey.asymmetricKeyType === 'rsa') {
      const pkcs1 = input.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString()
      forms.push(['PKCS#1 PEM', Buffer.from(pkcs1)], ['PKCS#1 PEM without the final newline', Buffer.from(pkcs1.trimEnd())])
    }
    if (input.publishedJwk) forms.push(['JWK JSON as published in the JWKS', Buffer.from(JSON.stringify(input.publishedJwk))])
    for (const [what, secret] of forms) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        add('HS confusion', `${alg} keyed with the public key as ${what}`, signJwt({ ...header, alg }, claims, secret, alg))
      }
      add('HS confusion', `HS256 keyed with the public key as ${what}, no kid`, signJwt({ alg: 'HS256', typ: 'JWT' }, claims, secret))
    }
  }

  // An attacker key of the route's own algorithm: the plain forgery every other one builds on.
  const ownAttacker = input.algorithm === 'HS256' ? oct : attackers.find((a) => a.algorithm === input.algorithm)!.privateKey
  add('foreign key', `signed with an attacker ${input.algorithm} key, the route's kid`, signJwt(withKid({ ...header }), claims, ownAttacker, input.algorithm))
  add('foreign key', `signed with an attacker ${input.algorithm} key, no kid`, signJwt({ alg: input.algorithm, typ: 'JWT' }, claims, ownAttacker, input.algorithm))
  for (const foreign of input.foreignKeys) {
    for (const [what, k] of [
      [`its own kid`, foreign.kid],
      ["the route's kid", kid],
      ['no kid', undefined],
    ] as const) {
      const h: Record<string, unknown> = { alg: foreign.algorithm, typ: 'JWT' }
      if (k !== undefined) h.kid = k
      add('foreign key', `signed with ${foreign.name}, ${what}`, signJwt(h, claims, foreign.key, foreign.algorithm))
    }
  }

  // Keys the token brings along: embedded jwk, jku, x5u, x5c. A verifier that trusts any of them trusts the attacker.
  const selfKeyed: Array<{ algorithm: string; key: KeyObject | Buffer; jwk: Record<string, unknown> }> = [
    ...attackers.map((a) => ({ algorithm: a.algorithm, key: a.privateKey, jwk: a.publicJwk })),
    { algorithm: 'HS256', key: oct, jwk: octJwk },
  ]
  for (const attacker of selfKeyed) {
    const { kid: attackerKid, ...bareJwk } = attacker.jwk
    for (const [what, k] of [
      ["the route's kid", kid],
      ["the attacker's kid", attackerKid as string],
      ['no kid', undefined],
    ] as const) {
      const base: Record<string, unknown> = { alg: attacker.algorithm, typ: 'JWT' }
      if (k !== undefined) base.kid = k
      add('embedded jwk', `${attacker.algorithm} jwk header, ${what}`, signJwt({ ...base, jwk: k === attackerKid ? attacker.jwk : bareJwk }, claims, attacker.key, attacker.algorithm))
      add('jku', `${attacker.algorithm} key served at jku, ${what}`, signJwt({ ...base, jku: `${input.canaryUrl}/jwks.json` }, claims, attacker.key, attacker.algorithm))
    }
  }
  for (const certificate of ATTACKER_CERTIFICATES) {
    const key = createPrivateKey(certificate.privateKey)
    const der = new X509Certificate(certificate.certificate).raw.toString('base64')
    const path = `/x5u-${certificate.algorithm}.pem`
    canary.certificates[path] = certificate.certificate
    for (const [what, k] of [
      ["the route's kid", kid],
      ['no kid', undefined],
    ] as const) {
      const base: Record<string, unknown> = { alg: certificate.algorithm, typ: 'JWT' }
      if (k !== undefined) base.kid = k
      add('x5u', `${certificate.algorithm} certificate served at x5u, ${what}`, signJwt({ ...base, x5u: `${input.canaryUrl}${path}` }, claims, key, certificate.algorithm))
      add('x5c', `${certificate.algorithm} self-signed certificate in x5c, ${what}`, signJwt({ ...base, x5c: [der] }, claims, key, certificate.algorithm))
    }
  }
  // jku/x5u next to the route's real kid and algorithm, with a garbage signature: a lookup by URL must not even start.
  add('jku', "jku with the route's own alg and kid", `${encodeJson(withKid({ ...header, jku: `${input.canaryUrl}/jwks.json` }))}.${body}.${signature}`)
  add('x5u', "x5u with the route's own alg and kid", `${encodeJson(withKid({ ...header, x5u: `${input.canaryUrl}/x5u-${input.algorithm}.pem` }))}.${body}.${signature}`)

  // kid injection: paths, SQL, prototype names, a very long kid; signed with what each injection hopes the key becomes.
  const emptyKey = Buffer.alloc(0)
  for (const injected of INJECTED_KIDS) {
    const label = injected.length > 40 ? `a ${injected.length}-character kid` : `kid ${JSON.stringify(injected)}`
    add('kid injection', `${label}, HS256 with an empty key`, signJwt({ alg: 'HS256', typ: 'JWT', kid: injected }, claims, emptyKey, 'HS256'))
    add('kid injection', `${label}, HS256 keyed "attacker"`, signJwt({ alg: 'HS256', typ: 'JWT', kid: injected }, claims, Buffer.from('attacker'), 'HS256'))
    add('kid injection', `${label}, the route's alg with an attacker key`, signJwt({ ...header, kid: injected }, claims, ownAttacker, input.algorithm))
  }
  for (const [what, value] of [
    ['a number', 1],
    ['an object', { $ne: null }],
    ['an array', [kid ?? 'x']],
    ['null', null],
  ] as const) {
    add('kid injection', `kid ${what}, the route's alg with an attacker key`, signJwt({ ...header, kid: value }, claims, ownAttacker, input.algorithm))
  }

  // crit and b64, signed with the real key: the header alone must get them refused.
  if (realKey) {
    add('crit', 'crit ["exp"]', signReal({ ...header, crit: ['exp'] }, claims))
    add('crit', 'an unknown critical header', signReal({ ...header, crit: ['x-polytoken-unknown'], 'x-polytoken-unknown': true }, claims))
    add('crit', 'crit naming a header that is absent', signReal({ ...header, crit: ['x-polytoken-absent'] }, claims))
    add('crit', 'empty crit', signReal({ ...header, crit: [] }, claims))
    add('crit', 'crit as a string', signReal({ ...header, crit: 'exp' }, claims))
    const unencodedHeader = encodeJson({ ...header, b64: false, crit: ['b64'] })
    const rawPayload = JSON.stringify(claims)
    add('b64', 'b64 false, signed over the unencoded payload (RFC 7797)', `${unencodedHeader}.${rawPayload}.${signatureOf(`${unencodedHeader}.${rawPayload}`, input.algorithm, realKey)}`)
    add('b64', 'b64 false, detached payload', `${unencodedHeader}..${signatureOf(`${unencodedHeader}.${rawPayload}`, input.algorithm, realKey)}`)
    add('b64', 'b64 false, payload segment base64url-encoded', signRealRaw(unencodedHeader, body))
  } else {
    add('crit', 'an unknown critical header, original signature', `${encodeJson({ ...header, crit: ['x-polytoken-unknown'], 'x-polytoken-unknown': true })}.${body}.${signature}`)
    add('b64', 'b64 false, original signature', `${encodeJson({ ...header, b64: false, crit: ['b64'] })}.${body}.${signature}`)
  }

  // The signature itself: stripped, truncated, padded, flipped, DER instead of raw r||s.
  add('signature', 'signature stripped (a.b.)', `${head}.${body}.`)
  add('signature', 'two parts (a.b)', `${head}.${body}`)
  add('signature', 'four parts', `${head}.${body}.${signature}.${signature}`)
  add('signature', 'truncated by one character', `${head}.${body}.${signature.slice(0, -1)}`)
  add('signature', 'one character appended', `${head}.${body}.${signature}A`)
  // The same signature bytes spelled another way: jose decodes them alike, so the route must insist on the one canonical spelling.
  const lastIndex = SIGNATURE_ALPHABET.indexOf(signature.at(-1) ?? 'A')
  add('signature', 'unused low bits of the last character set (same bytes)', `${head}.${body}.${signature.slice(0, -1)}${SIGNATURE_ALPHABET[lastIndex ^ 1]}`)
  add('signature', 'base64 padding appended (same bytes)', `${head}.${body}.${signature}=`)
  // Only a signature with a - or _ has a base64 spelling that differs.
  if (/[-_]/.test(signature)) add('signature', 'base64, not base64url, alphabet (same bytes)', `${head}.${body}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`)
  add('signature', 'first character changed', `${head}.${body}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`)
  add('signature', 'all zero bytes', `${head}.${body}.${Buffer.alloc(Buffer.from(signature, 'base64url').length).toString('base64url')}`)
  add('signature', 'empty header segment', `.${body}.${signature}`)
  add('signature', 'empty payload segment', `${head}..${signature}`)
  add('signature', 'only dots', '..')
  if (input.algorithm === 'ES256') {
    add('signature', 'ECDSA signature in DER, not raw r||s', `${head}.${body}.${derFromRawSignature(Buffer.from(signature, 'base64url')).toString('base64url')}`)
    if (realKey) {
      const der = derFromRawSignature(Buffer.from(signatureOf(`${head}.${body}`, 'ES256', realKey), 'base64url'))
      add('signature', 'fresh DER ECDSA signature by the real key', `${head}.${body}.${der.toString('base64url')}`)
    }
  }

  // The payload changed under the original signature.
  const tamper = (value: unknown): unknown =>
    typeof value === 'number' ? value + 1 : typeof value === 'string' ? `${value}x` : Array.isArray(value) ? [...(value as unknown[]), 1] : typeof value === 'boolean' ? !value : { tampered: true }
  for (const name of Object.keys(claims)) {
    add('tampered payload', `${name} changed`, `${head}.${encodeJson({ ...claims, [name]: tamper(claims[name]) })}.${signature}`)
    const { [name]: _removed, ...without } = claims
    add('tampered payload', `${name} removed`, `${head}.${encodeJson(without)}.${signature}`)
  }
  add('tampered payload', 'admin claims added', `${head}.${encodeJson({ ...claims, admin: true, role: 'admin', scope: 'admin full', permissions: [1, 2, 3] })}.${signature}`)
  add('tampered payload', 'same claims, re-encoded with spaces', `${head}.${encodeText(JSON.stringify(claims, null, 1))}.${signature}`)
  add('tampered payload', 'a duplicate sub appended', `${head}.${encodeText(JSON.stringify(claims).replace(/}$/, ',"sub":"admin"}'))}.${signature}`)
  add('tampered payload', 'exp pushed a year ahead', `${head}.${encodeJson({ ...claims, exp: input.now + 365 * 86400 })}.${signature}`)
  add('tampered payload', 'header kid and typ changed', `${encodeJson({ ...header, kid: 'other', typ: 'at+jwt' })}.${body}.${signature}`)

  // Time and audience, signed with the real key.
  if (realKey) {
    const beyond = input.leewaySec + 3600
    add('claims', 'expired beyond any leeway', signReal(header, { ...claims, exp: input.now - beyond, iat: input.now - beyond - 600, nbf: input.now - beyond - 600 }))
    add('claims', 'not valid yet (nbf beyond any leeway)', signReal(header, { ...claims, nbf: input.now + beyond, iat: input.now, exp: input.now + beyond + 3600 }))
    const { exp: _exp, ...noExp } = claims
    add('claims', 'no exp', signReal(header, noExp))
    add('claims', 'exp as a string', signReal(header, { ...claims, exp: String(input.now + 3600) }))
    add('claims', 'exp null', signReal(header, { ...claims, exp: null }))
    if (input.issuer !== undefined) {
      const { iss: _iss, ...noIss } = claims
      add('claims', 'wrong iss', signReal(header, { ...claims, iss: 'https://attacker.example' }))
      add('claims', 'iss with a suffix', signReal(header, { ...claims, iss: `${input.issuer}.attacker.example` }))
      add('claims', 'no iss', signReal(header, noIss))
      add('claims', 'iss as an array', signReal(header, { ...claims, iss: [input.issuer] }))
    }
    if (input.audience !== undefined) {
      const { aud: _aud, ...noAud } = claims
      add('claims', 'wrong aud', signReal(header, { ...claims, aud: 'attacker' }))
      add('claims', 'aud array without the route', signReal(header, { ...claims, aud: ['attacker', `${input.audience}x`] }))
      add('claims', 'no aud', signReal(header, noAud))
    }
  }

  // Structure: not JSON, not an object, duplicate keys, and 100 KB.
  const routeHeaderText = JSON.stringify(header)
  for (const [what, text] of [
    ['not JSON', 'not json'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"HS256"'],
    ['a JSON number', '256'],
    ['invalid UTF-8', '\udc80'],
  ] as const) {
    add('malformed', `header ${what}`, signRealRaw(what === 'invalid UTF-8' ? Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url') : encodeText(text), body))
    add('malformed', `payload ${what}`, signRealRaw(head, what === 'invalid UTF-8' ? Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url') : encodeText(text)))
  }
  add('malformed', 'duplicate alg, "none" last', `${encodeText(routeHeaderText.replace(/}$/, ',"alg":"none"}'))}.${body}.`)
  add('malformed', 'duplicate alg, "none" first', `${encodeText(`{"alg":"none",${routeHeaderText.slice(1)}`)}.${body}.`)
  add('malformed', 'duplicate alg, "HS256" last, keyed with the attacker secret', signJwtText(routeHeaderText.replace(/}$/, ',"alg":"HS256"}'), JSON.stringify(claims), oct, 'HS256'))
  add('malformed', "duplicate kid, the attacker's last", signJwtText(routeHeaderText.replace(/}$/, ',"kid":"attacker-HS256"}'), JSON.stringify(claims), oct, 'HS256'))
  add('malformed', "duplicate kid, the route's last, original signature", `${encodeText(`{"kid":"attacker",${routeHeaderText.slice(1)}`)}.${body}.${signature}`)
  const padding = 'p'.repeat(100 * 1024)
  add('malformed', '100 KB payload, signed with the real key', signRealRaw(head, encodeJson({ ...claims, padding })))
  add('malformed', '100 KB header', signRealRaw(encodeJson({ ...header, padding }), body))
  add('malformed', '100 KB of base64url', `${'a'.repeat(50 * 1024)}.${'b'.repeat(50 * 1024)}.${signature}`)
  add('malformed', 'a segment in base64 with padding', `${head}=.${body}.${signature}`)
  return { forgeries, canary }
}

function signJwtText(headerText: string, claimsText: string, key: Buffer, alg: string): string {
  const input = `${encodeText(headerText)}.${encodeText(claimsText)}`
  return `${input}.${signatureOf(input, alg, key)}`
}

/** The route's key material, as KeyObjects, from what a test gives. */
export function toKeyObjects(algorithm: JwtRouteAlgorithm, signingKey: string | Uint8Array | JsonWebKey | KeyObject | undefined): { signingKey: KeyObject | undefined } {
  if (signingKey === undefined) return { signingKey: undefined }
  if (signingKey instanceof KeyObject) return { signingKey }
  if (algorithm === 'HS256') {
    if (typeof signingKey === 'string') return { signingKey: createSecretKey(Buffer.from(signingKey, 'utf8')) }
    if (signingKey instanceof Uint8Array) return { signingKey: createSecretKey(signingKey) }
  }
  if (typeof signingKey === 'string') return { signingKey: createPrivateKey(signingKey) }
  return { signingKey: createPrivateKey({ key: signingKey as JsonWebKey, format: 'jwk' }) }
}
