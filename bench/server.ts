/**
 * The benchmark's server process: the baselines and polytoken side by side
 * in one Express app on one Node, so every ratio compares like with like.
 *   GET  /bare/json          fixed JSON — the limit on this stack
 *   POST /bare/jose-hs256    a naive issuer: signs the same claims with jose
 *   /api/...                 polytoken's prodmanager dialect
 */
import express from 'express'
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { polytoken } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'

const store = process.env.BENCH_STORE ?? 'memory://'
const hsKey = new TextEncoder().encode('bench-hs256-secret-0123456789abcdef')

const app = express()
app.disable('x-powered-by')
app.get('/bare/json', (_req, res) => {
  res.json({ ok: true })
})
app.post('/bare/jose-hs256', async (_req, res) => {
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ version: 1, permissions: [1, 2] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'bench' })
    .setIssuer('prodmanager').setAudience('api-documentation').setSubject('Token for documentation example')
    .setNotBefore(now).setIssuedAt(now).setExpirationTime(now + 3600).setJti(randomUUID())
    .sign(hsKey)
  res.type('text/plain').send(token)
})

const router = await polytoken({
  dialects: [{ dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1, service_api: 2 }, keys: [{ secret: 'bench-hs256-secret-0123456789abcdef' }] }), prefix: '/api' }],
  store,
  masterKey: 'bench-master-key-0123456789abcdef',
  logger: silentLogger,
})
app.use(router)
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  console.log(`BENCH_READY ${port}`)
})
process.on('SIGTERM', () => server.close(() => router.close().finally(() => process.exit(0))))
