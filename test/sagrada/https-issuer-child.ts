// Run by support-document-https.test.ts with NODE_EXTRA_CA_CERTS pointing at a
// throw-away CA, so the verifier's own default fetch speaks real HTTPS.
import { createServer } from 'node:https'
import { readFileSync } from 'node:fs'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createBrowserIdAssertion, createBrowserIdCertificate, createLocalBrowserIdVerifier, exportBrowserIdPublicKey } from '@polytoken/browserid'

const tls = { cert: readFileSync(process.env.SAGRADA_TEST_CERT!), key: readFileSync(process.env.SAGRADA_TEST_KEY!) }
const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const user = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
let fetches = 0
const good = createServer(tls, (req, res) => {
  fetches++
  if (req.url !== '/.well-known/browserid') return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ 'public-key': exportBrowserIdPublicKey(issuerKeys.publicKey), authentication: '/auth', provisioning: '/prov' }))
})
const silent = createServer(tls, () => undefined)
await Promise.all([good, silent].map((server) => new Promise<void>((resolve) => server.listen(0, resolve))))
const goodIssuer = `localhost:${(good.address() as AddressInfo).port}`
const slowIssuer = `localhost:${(silent.address() as AddressInfo).port}`
const AUD = 'https://token.example.com'
const now = Date.now()
const bundle = (issuer: string) =>
  createBrowserIdAssertion({
    certificates: [createBrowserIdCertificate({ issuer, issuerKey: issuerKeys.privateKey, email: 'alice@example.com', publicKey: user.publicKey, issuedAt: now, expiresAt: now + 60_000 })],
    userKey: user.privateKey,
    audience: AUD,
    expiresAt: now + 60_000,
  })

const verifier = createLocalBrowserIdVerifier({ audiences: [AUD], trustedIssuers: [{ issuer: goodIssuer }, { issuer: slowIssuer }], supportDocuments: { timeoutMs: 500 } })
const out: Record<string, unknown> = {}
const first = await verifier.verify(bundle(goodIssuer))
await verifier.verify(bundle(goodIssuer))
out.email = first.email
out.fetches = fetches
const started = Date.now()
try {
  await verifier.verify(bundle(slowIssuer))
  out.slow = 'verified?!'
} catch (error) {
  out.slow = (error as { code?: string }).code
}
out.slowMs = Date.now() - started
process.stdout.write(JSON.stringify(out) + '\n')
for (const server of [good, silent]) {
  server.closeAllConnections()
  server.close()
}
