import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import { AuthInvalid, AuthRequired, TokenExpired, TokenInvalid, TokenNotYetValid, compileValidator, silentLogger, type DialectDefinition, type PolytokenOptions } from '@polytoken/core'
import { polytoken, type PolytokenRouter } from '../polytoken.js'
import { jwtForgeries, toKeyObjects, type CanaryContent, type ForeignKey, type JwtForgery, type JwtRouteAlgorithm } from './jwt-forgeries.js'
import { signJwt } from './jwt-signing.js'

type KeyMaterial = string | Uint8Array | JsonWebKey | KeyObject

/** One route that verifies a JWT, and what the table needs to forge against it. */
export interface JwtAttackRoute {
  /** Test title. Default `METHOD path`. */
  name?: string
  /** Default GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The path as the application serves it, mount prefix included. */
  path: string
  /** How a client sends a token: headers (and a body). Default `Authorization: Bearer <token>`. */
  present?(token: string): { headers: Record<string, string>; body?: string | Record<string, unknown> }
  /** A token the route accepts: issue one through `app`, or sign one as the route's issuer does. */
  validToken(app: express.Express): Promise<string>
  /** The algorithm the route verifies. */
  algorithm: JwtRouteAlgorithm
  /**
   * The route's own key: the HS256 secret, or the private key (PEM, JWK or
   * KeyObject). With it the table also signs tokens that only a claim or a
   * header makes invalid (expired, wrong iss, unknown crit, b64...), so
   * those checks are tested, not the signature again. Strongly advised.
   */
  signingKey?: KeyMaterial
  /** ES256/RS256/EdDSA: the public key, when neither signingKey nor jwksPath gives it. */
  publicKey?: string | JsonWebKey | KeyObject
  /** Where the application publishes the route's public key; the HS confusion is keyed with it exactly as published. */
  jwksPath?: string
  /** The iss the route requires; when given, wrong and missing iss are in the table. */
  issuer?: string
  /** The aud the route requires; when given, wrong and missing aud are in the table. */
  audience?: string
  /** Seconds of leeway the route allows on exp/nbf. Default 300; the table goes an hour beyond. */
  leewaySec?: number
  /** Keys the application holds for other purposes (another ring, another dialect): their tokens must be refused here. */
  foreignKeys?: Array<{ name: string; algorithm: JwtRouteAlgorithm; key: KeyMaterial; kid?: string }>
}

export interface JwtAttackOptions {
  /** Suite title. */
  name: string
  /** A fresh definition of the dialect under test (the table sets it up on its own router). */
  dialect: () => DialectDefinition
  /** Mount prefix. Default none. */
  prefix?: string
  /** Router options besides dialects (store, masterKey, clock...). */
  options?: Partial<Omit<PolytokenOptions, 'dialects'>>
  routes: JwtAttackRoute[]
}

const TEST_MASTER_KEY = 'conformance-master-key-0123456789abcdef'
// Far above Node's 16 KiB default, so a 100 KB token reaches the route and the route itself has to refuse it.
const MAX_HEADER_BYTES = 512 * 1024

/** The groups of the table, in the order they run; which apply depends only on what the route declares. */
function groupsFor(route: JwtAttackRoute): string[] {
  const groups = ['alg none', 'odd alg']
  if (route.signingKey !== undefined) groups.push('algorithm substitution')
  if (route.algorithm !== 'HS256') groups.push('HS confusion')
  groups.push('foreign key', 'embedded jwk', 'jku', 'x5u', 'x5c', 'kid injection', 'crit', 'b64', 'signature', 'tampered payload')
  if (route.signingKey !== undefined) groups.push('claims')
  groups.push('malformed')
  return groups
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

/**
 * The JWT attack table: for every route that verifies a JWT, every forgery
 * of RFC 8725's catalogue and then some (alg none, HS/RS and HS/ES
 * confusion keyed with the real public key, embedded jwk, jku/x5u/x5c, kid
 * injection, crit, b64, stripped/truncated/DER signatures, tampered
 * payloads, expired/not yet valid/wrong iss and aud, malformed and 100 KB
 * tokens) is built from one valid token and sent to the route, which must
 * refuse each with its own token error status and envelope. The valid token
 * must be accepted first, so the table cannot pass vacuously; jku and x5u
 * point at a local server that must never be contacted.
 */
export function describeJwtAttacks(options: JwtAttackOptions): void {
  const routerOptions = { store: 'memory://', masterKey: TEST_MASTER_KEY, logger: silentLogger, ...options.options }

  describe(`${options.name}: JWT attack table`, () => {
    let router: PolytokenRouter
    let app: express.Express
    let server: Server
    let baseUrl: string
    let canaryServer: Server
    let canaryUrl: string
    let canaryContent: CanaryContent = { jwks: { keys: [] }, certificates: {} }
    const canaryContacts: string[] = []
    const dialect = options.dialect()
    const checkEnvelope = compileValidator(dialect.errorSchema, 'json', 'body')
    // The statuses this router's instance renders token errors with (known once its setup() has run).
    let refusalStatuses = new Set<number>()

    before(async () => {
      router = await polytoken({ ...routerOptions, dialects: [{ dialect, prefix: options.prefix ?? '' }] })
      const instance = router.runtime.instance(dialect)
      refusalStatuses = new Set(
        [new AuthRequired('a'), new AuthInvalid('b'), new TokenInvalid('c'), new TokenExpired('d'), new TokenNotYetValid('e')].map((error) => instance.renderError(error, undefined).status),
      )
      app = express()
      app.use(router)
      server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app)
      baseUrl = await listen(server)
      // What a verifier that followed jku/x5u would get: the attacker's keys. Every contact is recorded.
      canaryServer = createServer((req, res) => {
        canaryContacts.push(`request ${req.method} ${req.url}`)
        const certificate = canaryContent.certificates[req.url ?? '']
        res.setHeader('content-type', certificate ? 'application/pem-certificate-chain' : 'application/json')
        res.end(certificate ?? JSON.stringify(canaryContent.jwks))
      })
      canaryServer.on('connection', () => canaryContacts.push('connection'))
      canaryUrl = await listen(canaryServer)
    })
    after(async () => {
      await Promise.all([close(server), close(canaryServer)])
      await router.close()
    })

    for (const route of options.routes) {
      const method = route.method ?? 'GET'
      const label = route.name ?? `${method} ${route.path}`
      const present: NonNullable<JwtAttackRoute['present']> = (token) => (route.present ? route.present(token) : { headers: { authorization: `Bearer ${token}` } })
      const send = (token: string) => {
        const { headers, body } = present(token)
        const req = request(baseUrl)[method.toLowerCase() as 'get'](route.path)
        for (const [name, value] of Object.entries(headers)) req.set(name, value)
        return body === undefined ? req : req.send(body)
      }
      let forgeries: JwtForgery[] = []
      let controlsPassed = false

      describe(label, () => {
        test('controls: the valid token is accepted, and so is a copy signed with the declared key', async () => {
          const token = await route.validToken(app)
          const accepted = await send(token)
          assert.ok(accepted.status >= 200 && accepted.status < 300, `the valid token must be accepted: ${accepted.status} ${accepted.text.slice(0, 300)}`)
          const { signingKey } = toKeyObjects(route.algorithm, route.signingKey)
          const [head, body, signature] = token.split('.') as [string, string, string]
          const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>
          const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
          if (signingKey) {
            const resigned = await send(signJwt(header, claims, signingKey, route.algorithm))
            assert.ok(resigned.status >= 200 && resigned.status < 300, `signingKey must be the route's key: a copy signed with it got ${resigned.status} ${resigned.text.slice(0, 300)}`)
          }
          let publicKey = signingKey && route.algorithm !== 'HS256' ? createPublicKey(signingKey) : undefined
          if (route.publicKey !== undefined)
            publicKey =
              typeof route.publicKey === 'string' || !('kty' in route.publicKey) ? createPublicKey(route.publicKey as string | KeyObject) : createPublicKey({ key: route.publicKey, format: 'jwk' })
          let publishedJwk: Record<string, unknown> | undefined
          if (route.jwksPath) {
            const jwks = (await request(baseUrl).get(route.jwksPath)).body as { keys?: Record<string, unknown>[] }
            publishedJwk = jwks.keys?.find((jwk) => jwk.kid === header.kid) ?? (jwks.keys?.length === 1 ? jwks.keys[0] : undefined)
            assert.ok(publishedJwk, `${route.jwksPath} must publish the key of kid ${String(header.kid)}`)
            publicKey ??= createPublicKey({ key: publishedJwk as JsonWebKey, format: 'jwk' })
          }
          if (route.algorithm !== 'HS256') {
            assert.ok(publicKey, 'an ES256/RS256/EdDSA route needs signingKey, publicKey or jwksPath, so the HS confusion is keyed with its real public key')
            const input = Buffer.from(`${head}.${body}`)
            const raw = Buffer.from(signature, 'base64url')
            const verified =
              route.algorithm === 'ES256'
                ? cryptoVerify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)
                : cryptoVerify(route.algorithm === 'RS256' ? 'sha256' : null, input, publicKey, raw)
            assert.ok(verified, 'the public key the table uses must verify the valid token')
          }
          const payloadTime = [claims.iat, claims.nbf].find((value): value is number => typeof value === 'number')
          const foreignKeys: ForeignKey[] = (route.foreignKeys ?? []).map((foreign) => ({
            name: foreign.name,
            algorithm: foreign.algorithm,
            key: toKeyObjects(foreign.algorithm, foreign.key).signingKey!,
            ...(foreign.kid === undefined ? {} : { kid: foreign.kid }),
          }))
          const table = jwtForgeries({
            token,
            algorithm: route.algorithm,
            signingKey,
            publicKey,
            publishedJwk,
            issuer: route.issuer,
            audience: route.audience,
            leewaySec: route.leewaySec ?? 300,
            now: payloadTime ?? Math.floor(Date.now() / 1000),
            canaryUrl,
            foreignKeys,
          })
          forgeries = table.forgeries
          canaryContent = table.canary
          controlsPassed = true
        })

        for (const group of groupsFor(route)) {
          test(`${group}: every forgery is refused with the route's token error, in its envelope`, async () => {
            assert.ok(controlsPassed, 'the controls must pass first')
            const cases = forgeries.filter((forgery) => forgery.group === group)
            assert.ok(cases.length > 0, `the table has no "${group}" case`)
            for (const forgery of cases) {
              const response = await send(forgery.token)
              const what = `${label} [${group}: ${forgery.name}] → ${response.status} ${response.text.slice(0, 200)}`
              assert.ok(!(response.status >= 200 && response.status < 300), `ACCEPTED: ${what}`)
              assert.ok(refusalStatuses.has(response.status), `the route's token error status (${[...refusalStatuses].join(', ')}) expected: ${what}`)
              assert.match(String(response.headers['content-type']), /json/, `JSON error: ${what}`)
              assert.doesNotThrow(() => checkEnvelope(response.body), `envelope: ${what}`)
            }
          })
        }

        test('jku and x5u point at a local server, which nothing ever contacted', () => {
          assert.ok(controlsPassed, 'the controls must pass first')
          const pointing = forgeries.filter((forgery) => {
            const header = Buffer.from(forgery.token.split('.')[0]!, 'base64url').toString('utf8')
            return header.includes(`"jku":"${canaryUrl}`) || header.includes(`"x5u":"${canaryUrl}`)
          })
          assert.ok(pointing.length > 0, 'the table has jku and x5u cases pointing at the canary server')
          assert.deepEqual(canaryContacts, [], 'the route fetched a key from a URL in the token')
        })
      })
    }
  })
}
