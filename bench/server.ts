/**
 * The benchmark's server process: baselines, polytoken and the peers side by
 * side in one Express app on one Node, so every ratio compares like with like.
 *
 *   GET  /bare/json                 fixed JSON — the limit on this stack
 *   /naive/...                      what a naive implementation gets (bench/naive.ts):
 *                                   express.json()/urlencoded()/multer + jose, per request
 *   /pm, /tg, /crew, /crewrs, /sg, /zz   polytoken's dialects (one router)
 *   /peer/oauth2/token              @node-oauth/express-oauth-server (bench/peers.ts)
 *   /peer/oidc/token                oidc-provider, client_credentials, JWT access tokens
 *
 * Prints `BENCH_READY <port> <fixtures JSON>` once listening.
 * Env: BENCH_STORE (memory:// default), BENCH_STORE_PREFIX, BENCH_CACHE_MAX_TTL_MS, BENCH_PEERS=0, BENCH_OTEL=1 (the
 * OpenTelemetry SDK registered before any router: bench/otel-sdk.ts).
 */
import express from 'express'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { polytoken } from '@polytoken/express'
import { polytokenMetrics } from '@polytoken/metrics'
import { crew, prodmanager, sagrada, tokenGenerator, zazz } from '@polytoken/plugins'
import { createJwtSigner, createStore, memoryStore, loadKeyRing, silentLogger } from '@polytoken/core'
import { createBrowserIdAssertion, createBrowserIdCertificate, exportBrowserIdPublicKey } from '@polytoken/browserid'
import { naiveRoutes, mintSessionToken } from './naive.js'
import { FIX } from './fixtures.js'
import { registerOpenTelemetrySdk } from './otel-sdk.js'

if (process.env.BENCH_OTEL === '1') registerOpenTelemetrySdk()
const storeUrl = process.env.BENCH_STORE ?? 'memory://'
const storePrefix = process.env.BENCH_STORE_PREFIX
const cacheMaxTtlMs = process.env.BENCH_CACHE_MAX_TTL_MS ? Number(process.env.BENCH_CACHE_MAX_TTL_MS) : undefined

const app = express()
app.disable('x-powered-by')
app.disable('etag')
app.get('/bare/json', (_req, res) => {
  res.json({ ok: true })
})
// Diagnostic: the same fixed JSON after reading (not parsing) a request body — what a POST costs by itself.
app.post('/bare/drain', (req, res) => {
  req.on('end', () => res.json({ ok: true })).resume()
})
// Diagnostic: a dialect route's own answer (status, headers, bytes, captured once by the runner) sent by a bare
// route after reading the same request: what the shape of the answer costs by itself. `x-replay` names the route.
const replays = new Map<string, { status: number; headers: Record<string, string>; body: string }>()
app.all('/bare/replay', (req, res) => {
  const answer = replays.get(String(req.headers['x-replay']))
  req
    .on('end', () => {
      if (!answer) return void res.status(404).json({ error: 'nothing captured for this x-replay' })
      res.status(answer.status).set(answer.headers).send(answer.body)
    })
    .resume()
})
app.post('/bench/replay', express.json({ limit: '1mb' }), (req, res) => {
  replays.set(req.body.key, req.body.answer)
  res.end()
})
app.use('/naive', naiveRoutes())
// Diagnostic: polytoken's signer alone (no dialect), sign() on the event loop vs signAsync() on the thread pool.
for (const algorithm of ['ES256', 'RS256'] as const) {
  const ring = await loadKeyRing({ name: `diag-${algorithm}`, algorithm }, { store: memoryStore().namespace('diag'), masterKey: 'bench-master-key-0123456789abcdef' })
  const signer = createJwtSigner(ring)
  const claims = () => {
    const now = Math.floor(Date.now() / 1000)
    return { iss: 'bench-crew', sub: '', aud: FIX.crew.service, exp: now + 300, nbf: now, iat: now, jti: randomUUID(), access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }] }
  }
  app.get(`/diag/${algorithm.toLowerCase()}-sync`, (_req, res) => void res.json({ token: signer.sign(claims()) }))
  app.get(`/diag/${algorithm.toLowerCase()}-async`, async (_req, res) => void res.json({ token: await signer.signAsync(claims()) }))
}
// The load generator samples the server's memory through this (not a polytoken route).
app.get('/bench/memory', (req, res) => {
  // ?gc=1: after a full collection (the runner starts this process with --expose-gc), so samples compare.
  if (req.query.gc === '1') (globalThis as { gc?: () => void }).gc?.()
  res.json(process.memoryUsage())
})
if (process.env.BENCH_PROFILE_DIR) {
  // CPU profile of one scenario only (not start-up, not the warm-up): the runner starts and stops it.
  const { Session } = await import('node:inspector')
  const { writeFileSync, mkdirSync } = await import('node:fs')
  const session = new Session()
  session.connect()
  const post = (method: string, params: object = {}) => new Promise<any>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))))
  app.post('/bench/profile/start', async (_req, res) => {
    await post('Profiler.enable')
    await post('Profiler.setSamplingInterval', { interval: 200 })
    await post('Profiler.start')
    res.end()
  })
  app.post('/bench/profile/stop', async (_req, res) => {
    const { profile } = await post('Profiler.stop')
    mkdirSync(process.env.BENCH_PROFILE_DIR!, { recursive: true })
    writeFileSync(`${process.env.BENCH_PROFILE_DIR}/${Date.now()}.cpuprofile`, JSON.stringify(profile))
    res.end()
  })
}

// BrowserID: an issuer we trust and a user key it certifies (as test/sagrada does).
const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const userKeys = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })

// BENCH_FAST_DISPATCH=0: every request through Express's own routing, to measure what the fast dispatch earns.
const router = await polytoken({
  fastDispatch: process.env.BENCH_FAST_DISPATCH !== '0',
  // On the OpenTelemetry server this router makes no spans: pm-*-sdk-only is the SDK's own cost (its context manager).
  tracing: process.env.BENCH_OTEL !== '1',
  dialects: [
    { prefix: '/pm', dialect: prodmanager({ secret: FIX.pm.secret, permissions: { scope_api: 1, service_api: 2 }, keys: [{ secret: FIX.pm.signingSecret }] }) },
    { prefix: '/tg', dialect: tokenGenerator({ sessionKeys: [{ secret: FIX.tg.sessionSecret }], resourceKeys: [{ secret: FIX.tg.resourceSecret }], endpoint: 'localhost:5001' }) },
    { prefix: '/crew', dialect: crew(crewOptions('ES256')) },
    {
      prefix: '/sg',
      dialect: sagrada({
        applications: { sync: { '1.5': { endpoint: '{node}/1.5/{uid}', nodes: [FIX.sg.node] } } },
        nodes: { [FIX.sg.node]: { capacity: 100_000_000, secrets: [FIX.sg.nodeSecret] } },
        browserid: { audiences: [FIX.sg.audience], trustedIssuers: [{ issuer: FIX.sg.issuer, publicKey: exportBrowserIdPublicKey(issuerKeys.publicKey) }] },
      }),
    },
    {
      prefix: '/zz',
      dialect: zazz({
        clients: [{ id: FIX.zz.clientId, secret: FIX.zz.clientSecret, number: 1, scopes: ['full'] }],
        users: [{ username: FIX.zz.username, password: FIX.zz.password, userId: 1, displayName: 'Bench' }],
        // The default KDF cost (scrypt N=2^14, r=8, p=5); brute-force limits raised: the bench logs in on purpose.
        bruteForce: { maxPerUsernameAddress: 1e9, maxPerAddress: 1e9 },
      }),
    },
  ],
  store: storeUrl.startsWith('redis') ? await createStore({ url: storeUrl, prefix: storePrefix ?? 'polybench-', timeoutMs: 5000 }) : storeUrl,
  masterKey: 'bench-master-key-0123456789abcdef',
  logger: silentLogger,
  ...(cacheMaxTtlMs !== undefined ? { cache: { maxTtlMs: cacheMaxTtlMs } } : {}),
})
app.use(router)
// A dialect is registered once per router: crew with RS256 gets a router of its own.
const rsRouter = await polytoken({ dialects: [{ prefix: '/crewrs', dialect: crew(crewOptions('RS256')) }], store: 'memory://', masterKey: 'bench-master-key-0123456789abcdef', logger: silentLogger })
app.use(rsRouter)
// The same prodmanager with @polytoken/metrics counting every request, token and store operation (router.events +
// prom-client), at /pmm: pm-*-metrics against pm-* in one run is what metrics cost.
const metricsRouter = await polytoken({
  dialects: [{ prefix: '/pmm', dialect: prodmanager({ secret: FIX.pm.secret, permissions: { scope_api: 1, service_api: 2 }, keys: [{ secret: FIX.pm.signingSecret }] }) }],
  store: storeUrl.startsWith('redis') ? await createStore({ url: storeUrl, prefix: `${storePrefix ?? 'polybench-'}metrics-`, timeoutMs: 5000 }) : storeUrl,
  masterKey: 'bench-master-key-0123456789abcdef',
  logger: silentLogger,
})
const benchMetrics = polytokenMetrics(metricsRouter)
app.get('/bench/metrics', benchMetrics.handler)
app.use(metricsRouter)

function crewOptions(algorithm: 'ES256' | 'RS256') {
  return {
    issuer: 'bench-crew',
    service: FIX.crew.service,
    algorithm,
    users: { [FIX.crew.user]: { password: FIX.crew.password } },
    // Docker sends Basic on every token call; the bench does too: no lock-out.
    loginAttempts: { max: 1e9, windowMs: 60_000 },
    policy: [
      { account: '*', type: 'repository', name: '${account}/**', actions: ['*'] },
      { type: 'repository', name: 'library/**', actions: ['pull'] },
    ],
    onCertificate: () => undefined,
  }
}

let port = 0
let peers: Record<string, string> = {}
if (process.env.BENCH_PEERS !== '0') {
  const { mountPeers } = await import('./peers.js')
  peers = await mountPeers(app, () => port)
}

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  port = (server.address() as { port: number }).port
  const now = Date.now()
  const cert = createBrowserIdCertificate({
    issuer: FIX.sg.issuer,
    issuerKey: issuerKeys.privateKey,
    email: 'bench-user@accounts.bench',
    publicKey: userKeys.publicKey,
    issuedAt: now - 1000,
    expiresAt: now + 6 * 3_600_000,
  })
  const assertion = createBrowserIdAssertion({ certificates: [cert], userKey: userKeys.privateKey, audience: FIX.sg.audience, expiresAt: now + 6 * 3_600_000 })
  const fixtures = { sessionToken: mintSessionToken(), assertion, peers }
  console.log(`BENCH_READY ${port} ${JSON.stringify(fixtures)}`)
})
server.keepAliveTimeout = 60_000
// Expose the issuer key to in-process helpers (growth: many distinct assertions).
export { issuerKeys, userKeys }
process.on('SIGTERM', () => {
  server.closeAllConnections?.()
  // Exits either way: a close that fails must not keep the bench server up.
  server.close(() => void router.close().finally(() => process.exit(0)))
  setTimeout(() => process.exit(0), 3000).unref()
})
