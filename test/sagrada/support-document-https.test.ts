import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { webcrypto } from 'node:crypto'

/** A self-signed certificate for `localhost`, trusted by the child through NODE_EXTRA_CA_CERTS. */
async function localhostCertificate(): Promise<{ cert: string; key: string }> {
  // @peculiar/x509 needs the reflect polyfill loaded first (as crew's certificate.ts does).
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=localhost',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }])],
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return { cert: cert.toString('pem'), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n` }
}

test('support documents over real HTTPS: fetched once and cached; an issuer that never answers → 503 within the timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagrada-https-'))
  try {
    const { cert, key } = await localhostCertificate()
    writeFileSync(join(dir, 'cert.pem'), cert)
    writeFileSync(join(dir, 'key.pem'), key)
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./https-issuer-child.ts', import.meta.url).pathname], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), SAGRADA_TEST_CERT: join(dir, 'cert.pem'), SAGRADA_TEST_KEY: join(dir, 'key.pem') },
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(child.status, 0, child.stderr)
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { email: string; fetches: number; slow: string; slowMs: number }
    assert.equal(out.email, 'alice@example.com')
    assert.equal(out.fetches, 1, 'the second verification used the cached key')
    assert.equal(out.slow, 'ERR_UPSTREAM_UNAVAILABLE')
    assert.ok(out.slowMs < 3000, `gave up after ${out.slowMs} ms`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
