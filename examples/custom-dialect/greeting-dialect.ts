/**
 * A complete dialect in one file: "greeting tokens". POST /greet with a
 * JSON or form body {name} and the API key in `X-Api-Key` returns an
 * EdDSA-signed JWT; GET /greet/verify checks one through the verification
 * cache. Errors use this dialect's own envelope: {"ok": false, "why": ...}.
 */
import { randomUUID } from 'node:crypto'
import {
  AuthInvalid,
  createJwtSigner,
  createJwtVerifier,
  bearer,
  defineAuthMethod,
  defineDialect,
  defineRoute,
  epochSeconds,
  safeEqual,
  type JwtSigner,
  type JwtClaims,
  type KeySource,
  type PolytokenError,
} from '@polytoken/core'
import { validateOptions } from '@polytoken/plugins'
import { greetingOptionsSchema } from './options-schema.js'

export interface GreetingOptions {
  apiKey: string
  issuer?: string
  /** EdDSA signing keys; default: one generated on first start, sealed in the store. Tests give one so they can forge with it. */
  keys?: KeySource[]
}

/** A custom auth method: an API key in a header. */
function apiKeyHeader(expected: string) {
  return defineAuthMethod<{ client: 'api-key' }, string>({
    kind: 'apiKey',
    doc: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    challenge: () => undefined,
    extract: (request) => request.headers['x-api-key'],
    // eslint-disable-next-line @typescript-eslint/require-await -- async so that a wrong key is a rejection, as verify's contract says
    async verify(key) {
      if (!safeEqual(key, expected)) throw new AuthInvalid('API key is invalid', { location: 'header', field: 'x-api-key' })
      return { client: 'api-key' }
    },
  })
}

/** POST /greet: a greeting token for `name`, signed with the router's key. */
function greetRoute(issuer: string, apiKey: string, signer: JwtSigner) {
  return defineRoute({
    method: 'POST',
    path: '/greet',
    accepts: ['json', 'urlencoded'],
    auth: [apiKeyHeader(apiKey)],
    schema: {
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
    },
    responses: { 201: { description: 'A greeting token', schema: { type: 'object', properties: { token: { type: 'string' } } } } },
    handle({ input, services }) {
      const { name } = input.body
      const iat = epochSeconds(services.clock())
      const token = signer.sign({ iss: issuer, sub: name, iat, exp: iat + 600, jti: randomUUID(), greeting: `hello, ${name}` })
      return { status: 201, body: { token } }
    },
  })
}

/** GET /greet/verify: checks a greeting token through the verification cache. */
function verifyRoute(verifyJwt: (token: string) => Promise<JwtClaims>) {
  return defineRoute({
    method: 'GET',
    path: '/greet/verify',
    auth: [
      bearer({
        realm: 'greeting',
        verify: (token, { services }) =>
          services.cache.verify('greeting', token, async (t) => {
            const claims = await verifyJwt(t)
            return { value: claims, expiresAt: claims.exp! * 1000 }
          }),
      }),
    ],
    handle: ({ principal }) => ({ status: 200, body: { ok: true, greeting: principal.greeting } }),
  })
}

export function greeting(given: GreetingOptions) {
  // Checked here too, not only by the server that read a config file: a program calling greeting() gets the same message.
  const options = validateOptions(greetingOptionsSchema, given, 'greeting')
  const issuer = options.issuer ?? 'greeting'
  return defineDialect({
    name: 'greeting',
    errorSchema: { type: 'object', required: ['ok', 'why'], properties: { ok: { const: false }, why: { type: 'string' }, code: { type: 'string' } } },
    // Once per router: its key ring, then the routes built with what it holds.
    async setup(services) {
      const ring = await services.keyRing({ name: 'signing', algorithm: 'EdDSA', ...(options.keys ? { keys: options.keys } : {}) })
      return {
        routes: [greetRoute(issuer, options.apiKey, createJwtSigner(ring)), verifyRoute(createJwtVerifier(ring, { issuer }))],
        renderError: (error: PolytokenError) => ({
          status: error.status,
          headers: { ...error.headers, ...(error.challenges.length ? { 'WWW-Authenticate': error.challenges.join(', ') } : {}) },
          body: { ok: false, why: error.status >= 500 && error.code === 'ERR_INTERNAL' ? 'internal error' : error.message, code: error.code },
        }),
      }
    },
  })
}
