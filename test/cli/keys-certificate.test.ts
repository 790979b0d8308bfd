/**
 * `polytoken keys certificate crew <kid>`: the certificate the registry's rootcertbundle needs for a `next` key before
 * it is promoted. Its public key is the key's own (its libtrust kid, computed here from the certificate without
 * polytoken's code), it is made once and kept (the same PEM every time, and after promotion), and a dialect that hands
 * out no certificate says so. Driven as a child process against SQLite.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { cliEnv, polytoken } from './run-polytoken.js'

/** docker/libtrust's key ID: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32, in groups of four. */
function libtrustKid(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' })
  const bits = [...createHash('sha256').update(der).digest().subarray(0, 30)].map((byte) => byte.toString(2).padStart(8, '0')).join('')
  const base32 = bits
    .match(/.{5}/g)!
    .map((chunk) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(chunk, 2)])
    .join('')
  return base32.match(/.{4}/g)!.join(':')
}

test('keys certificate: a next key’s certificate for the registry, made once, refused where there is none', { timeout: 300_000 }, async () => {
  const env = cliEnv({}, ['prodmanager', 'crew'])
  try {
    const generated = await polytoken(['keys', 'generate', 'crew', '--json'], env)
    assert.equal(generated.status, 0, generated.stderr)
    const kid = (JSON.parse(generated.stdout) as { kid: string; state: string }).kid
    assert.equal((JSON.parse(generated.stdout) as { state: string }).state, 'next')

    const first = await polytoken(['keys', 'certificate', 'crew', '--', kid], env)
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/)
    assert.equal(libtrustKid(first.stdout), kid, 'the certificate certifies another key')
    assert.ok(new X509Certificate(first.stdout).ca, 'a registry bundle takes a CA certificate')

    const promoted = await polytoken(['keys', 'promote', 'crew', '--force', '--', kid], env)
    assert.equal(promoted.status, 0, promoted.stderr)
    const again = await polytoken(['keys', 'certificate', 'crew', '--json', '--', kid], env)
    assert.equal(again.status, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), { dialect: 'crew', kid, certificate: first.stdout }, 'the certificate changed after promotion')

    const none = await polytoken(['keys', 'certificate', 'prodmanager', 'any-kid'], env)
    assert.equal(none.status, 2, 'a dialect without certificates is a usage error, as users and tokens are')
    assert.equal(none.stdout, '')
    assert.match(none.stderr, /prodmanager hands no certificate/)
    const usage = await polytoken(['keys', 'certificate', 'crew'], env)
    assert.equal(usage.status, 2)
  } finally {
    rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
  }
})
