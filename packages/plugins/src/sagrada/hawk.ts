import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { AuthInvalid, TokenInvalid, fingerprint, systemClock, type Clock, type Store } from '@polytoken/core'
import { createTokenlib, type Tokenlib, type TokenlibPayload } from './tokenlib.js'

/** What a storage node needs of an incoming request to check its Hawk signature. */
export interface HawkRequest {
  method: string
  /** Path and query exactly as sent (`/1.5/42/storage?full=1`). */
  url: string
  /** Host and port the client signed (the Host header, or the public name behind a proxy). */
  host: string
  port: number
  authorization: string | undefined
  /** The raw body, when the client signed a payload hash and it must be checked. */
  payload?: string | Buffer
  contentType?: string
}

export interface HawkVerifierOptions {
  /** The secrets this node shares with the token server (first signs, all verify). */
  secrets: string | string[]
  /** Accepted clock difference, seconds. Default 60. */
  skewSeconds?: number
  /** Where seen nonces are kept to refuse replays. Without it, replays within the skew are not detected. */
  nonces?: Store
  clock?: Clock
}

export interface HawkCredentials {
  /** The token server's token payload: uid, node, expires, fxa_uid, ... */
  token: TokenlibPayload
  /** The Hawk id (the token itself). */
  id: string
  ext: string | undefined
}

// Hawk's header grammar: Hawk key="value", ... with a known set of keys.
const HAWK = /^hawk[ \t]+(.+)$/i
const PARAM = /(\w+)="([^"\\]*)"/g
const KEYS = new Set(['id', 'ts', 'nonce', 'hash', 'ext', 'mac', 'app', 'dlg'])

/**
 * Verify a Hawk-signed request (hawk.1.header, SHA-256) whose id is a
 * token-server token: the token is checked with tokenlib (signature,
 * expiry), its derived secret is the Hawk key. What a storage service
 * mounts in front of its routes.
 */
export function createHawkVerifier(options: HawkVerifierOptions): (request: HawkRequest) => Promise<HawkCredentials> {
  const clock = options.clock ?? systemClock
  const tokenlib: Tokenlib = createTokenlib({ secrets: options.secrets, clock })
  const skew = options.skewSeconds ?? 60

  return async (request) => {
    const match = HAWK.exec(request.authorization ?? '')
    if (!match) throw new AuthInvalid('Hawk credentials are missing', { location: 'header', field: 'authorization' })
    const attributes: Record<string, string> = {}
    for (const [, key, value] of match[1]!.matchAll(PARAM)) {
      if (!KEYS.has(key!) || key! in attributes) throw new AuthInvalid('Hawk header is malformed', { location: 'header', field: 'authorization' })
      attributes[key!] = value!
    }
    const { id, ts, nonce, mac } = attributes
    if (!id || !ts || !nonce || !mac || !/^\d{1,12}$/.test(ts)) throw new AuthInvalid('Hawk header is malformed', { location: 'header', field: 'authorization' })

    const token = tokenlib.parse(id)
    const key = tokenlib.derivedSecret(id)
    const expected = createHmac('sha256', key).update(normalized(request, attributes)).digest()
    const given = Buffer.from(mac, 'base64')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenInvalid('Hawk MAC is invalid')

    if (Math.abs(Number(ts) - clock() / 1000) > skew) throw new AuthInvalid('Hawk timestamp is out of range', { location: 'header', field: 'authorization' })
    if (request.payload !== undefined && attributes.hash !== undefined) {
      const hash = payloadHash(request.payload, request.contentType ?? '')
      const sent = Buffer.from(attributes.hash, 'base64')
      if (sent.length !== hash.length || !timingSafeEqual(sent, hash)) throw new TokenInvalid('Hawk payload hash is invalid')
    }
    if (options.nonces) {
      const fresh = await options.nonces.add(`hawk-nonce:${fingerprint(`${id}\n${ts}\n${nonce}`)}`, 1, (skew * 2 + 1) * 1000)
      if (!fresh) throw new AuthInvalid('Hawk nonce was already used', { location: 'header', field: 'authorization' })
    }
    return { token, id, ext: attributes.ext }
  }
}

function normalized(request: HawkRequest, a: Record<string, string>): string {
  let text = `hawk.1.header\n${a.ts}\n${a.nonce}\n${request.method.toUpperCase()}\n${request.url}\n${request.host.toLowerCase()}\n${request.port}\n${a.hash ?? ''}\n`
  text += a.ext ? a.ext.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : ''
  text += '\n'
  if (a.app) text += `${a.app}\n${a.dlg ?? ''}\n`
  return text
}

function payloadHash(payload: string | Buffer, contentType: string): Buffer {
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  return createHash('sha256').update(`hawk.1.payload\n${type}\n`).update(payload).update('\n').digest()
}
