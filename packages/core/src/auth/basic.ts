import { AuthInvalid } from '../errors.js'
import { header } from '../request.js'
import { defineAuthMethod, quote, type AuthContext, type AuthMethod } from './auth-method.js'

export interface BasicCredential {
  /** The parameter after `Basic `, as sent. */
  raw: string
  /** The decoded `user:password`, or undefined when the parameter does not decode to one. */
  pair: { username: string; password: string } | undefined
}

export interface BasicOptions<P> {
  realm: string
  verify(credential: BasicCredential, context: AuthContext): Promise<P>
}

const BASIC = /^basic[ \t]+([^\s]+)[ \t]*$/i
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

export function basic<P>(options: BasicOptions<P>): AuthMethod<P, BasicCredential> {
  if (!options.realm) throw new TypeError('basic(): realm is required')
  return defineAuthMethod<P, BasicCredential>({
    kind: 'basic',
    schemes: ['basic'],
    doc: { type: 'http', scheme: 'basic' },
    challenge: () => `Basic realm=${quote(options.realm)}, charset="UTF-8"`,
    extract(request) {
      const value = header(request, 'authorization')
      if (!value || !/^basic\b/i.test(value)) return undefined
      const match = BASIC.exec(value)
      const raw = match?.[1] ?? ''
      return { raw, pair: decodePair(raw) }
    },
    async verify(credential, context) {
      if (!credential.raw) throw new AuthInvalid('Basic credentials are malformed', { location: 'header', field: 'authorization' })
      return options.verify(credential, context)
    },
  })
}

function decodePair(raw: string): BasicCredential['pair'] {
  if (!BASE64.test(raw) || raw.length % 4 === 1) return undefined
  const decoded = Buffer.from(raw, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0 || decoded.includes('\uFFFD')) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}
