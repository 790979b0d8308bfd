/**
 * Issue #14, item 6: weak secrets used to be accepted at start-up — a master
 * key "x", HS256 signing secrets "a" (zazz, prodmanager), one-character
 * application and client secrets. With a short HS256 key one access token is
 * enough to brute-force it offline. Now every one of them is refused with
 * ERR_CONFIG_INVALID naming the option, never echoing the value. And
 * token-generator's session/resource separation compares key material, so
 * `{secret: S}` beside `{jwk: {kty: "oct", k: base64url(S)}}` is one key. sagrada's node secrets
 * (tokenlib HMAC keys) followed later: they had an 8-character floor of their own.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { polytoken } from '@polytoken/express'
import { silentLogger, type DialectDefinition } from '@polytoken/core'
import { crew, prodmanager, sagrada, tokenGenerator, zazz } from '@polytoken/plugins'
import { NODE_A, NODE_B, options as sagradaOptions } from '../sagrada/fixture.js'

const STRONG_MASTER_KEY = 'weak-secrets-test-master-key-0123456789'
const STRONG_HS256 = 'weak-secrets-test-hs256-key-0123456789abcdef'

/** The start-up fails with ERR_CONFIG_INVALID, names `path` and does not quote `value`. */
async function refused(start: () => unknown, path: string, value: string): Promise<void> {
  await assert.rejects(
    async () => {
      const router = await start()
      await (router as { close?: () => Promise<void> } | undefined)?.close?.()
    },
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_CONFIG_INVALID', error.message)
      assert.ok(error.message.includes(path), `"${error.message}" names ${path}`)
      if (value.length >= 3) assert.ok(!error.message.includes(value), `"${error.message}" must not echo the secret`)
      return true
    },
  )
}

function start(dialect: DialectDefinition, masterKey: string | undefined = STRONG_MASTER_KEY) {
  return polytoken({ dialects: [dialect], store: 'memory://', logger: silentLogger, ...(masterKey === undefined ? {} : { masterKey }) })
}

const prodmanagerOptions = { secret: 'application-secret-0123', permissions: { scope_api: 1 } }
const zazzOptions = { clients: [{ id: 'web', secret: 'client-secret-0123', number: 1, scopes: ['full'] }], users: [] }
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

describe('weak secrets are refused at start-up', () => {
  test('master key: "x", one character repeated, a short pattern repeated', async () => {
    for (const masterKey of ['x', 'Q'.repeat(40), 'Wxyz'.repeat(10)]) {
      await refused(() => start(crew({ service: 'registry.test' }), masterKey), 'masterKey', masterKey)
    }
  })

  test('HS256 signing secrets shorter than 32 bytes (RFC 7518 §3.2): prodmanager, zazz', async () => {
    await refused(() => start(prodmanager({ ...prodmanagerOptions, keys: [{ secret: 'a' }] })), 'prodmanager.keys[0].secret', 'a')
    await refused(() => start(prodmanager({ ...prodmanagerOptions, keys: [{ secret: 'Sh0rt-but-not-32-bytes' }] })), 'prodmanager.keys[0].secret', 'Sh0rt-but-not-32-bytes')
    await refused(() => start(zazz({ ...zazzOptions, keys: [{ secret: 'a' }] })), 'zazz.keys[0].secret', 'a')
    // A verify-only key counts as much as the signing one: it accepts tokens too.
    await refused(() => start(zazz({ ...zazzOptions, keys: [{ secret: STRONG_HS256 }, { secret: 'Old-key-short', use: 'verify' }] })), 'zazz.keys[1].secret', 'Old-key-short')
  })

  test('an HS256 JWK "oct" key is held to the same rule', async () => {
    await refused(() => start(prodmanager({ ...prodmanagerOptions, keys: [{ jwk: { kty: 'oct', k: b64url('Tiny-oct-key') } }] })), 'prodmanager.keys[0].jwk', b64url('Tiny-oct-key'))
  })

  test('one-character application secret (prodmanager) and client secret (zazz)', async () => {
    await refused(() => prodmanager({ ...prodmanagerOptions, secret: 'x' }), 'prodmanager.secret', 'x')
    await refused(() => prodmanager({ ...prodmanagerOptions, secret: ['application-secret-0123', 'Seven77'] }), 'prodmanager.secret[1]', 'Seven77')
    await refused(() => zazz({ ...zazzOptions, clients: [{ id: 'web', secret: 'x', number: 1, scopes: ['full'] }] }), 'zazz.clients[0].secret', 'x')
    await refused(() => zazz({ ...zazzOptions, clients: [{ id: 'web', secret: 'ZZZZZZZZZZZZ', number: 1, scopes: ['full'] }] }), 'zazz.clients[0].secret', 'ZZZZZZZZZZZZ')
  })

  test('token-generator: short session and resource keys', async () => {
    await refused(() => tokenGenerator({ sessionKeys: [{ secret: 'a' }], resourceKeys: [{ secret: STRONG_HS256 }], endpoint: 'x' }), 'token-generator.sessionKeys[0].secret', 'a')
    await refused(
      () => start(tokenGenerator({ sessionKeys: [{ secret: STRONG_HS256 }], resourceKeys: [{ jwk: { kty: 'oct', k: b64url('Tiny-resource-key') } }], endpoint: 'x' })),
      'token-generator.resourceKeys[0].jwk',
      b64url('Tiny-resource-key'),
    )
  })

  test('token-generator: {secret: S} and {jwk: oct base64url(S)} are the same key, inline or in a file', async () => {
    await refused(
      () => tokenGenerator({ sessionKeys: [{ secret: STRONG_HS256 }], resourceKeys: [{ jwk: { kty: 'oct', k: b64url(STRONG_HS256) } }], endpoint: 'x' }),
      'token-generator.resourceKeys[0]',
      STRONG_HS256,
    )
    await refused(
      () => tokenGenerator({ sessionKeys: [{ jwk: { kty: 'oct', k: b64url(STRONG_HS256) } }], resourceKeys: [{ secret: STRONG_HS256 }], endpoint: 'x' }),
      'token-generator.resourceKeys[0]',
      STRONG_HS256,
    )
    const file = join(mkdtempSync(join(tmpdir(), 'weak-secrets-')), 'resource.jwk.json')
    writeFileSync(file, JSON.stringify({ kty: 'oct', k: b64url(STRONG_HS256) }))
    await refused(
      () => tokenGenerator({ sessionKeys: [{ secret: 'another-session-key-0123456789abcdef' }, { secret: STRONG_HS256, use: 'verify' }], resourceKeys: [{ jwk: file }], endpoint: 'x' }),
      'token-generator.resourceKeys[0]',
      STRONG_HS256,
    )
  })

  test('sagrada: a node secret is a tokenlib HMAC key (a token and its Hawk secret are forged with it): 32 bytes, not 8 characters', async () => {
    // The examples server shipped 'example-node-secret-change-me' (29 bytes) before this rule.
    for (const secret of ['example-node-secret-change-me', 'Q'.repeat(40)]) {
      await refused(() => sagrada(sagradaOptions({ nodes: { [NODE_A]: { capacity: 1, secrets: [secret] } } })), `sagrada.nodes["${NODE_A}"].secrets[0]`, secret)
    }
    // A rotated-out secret still verifies tokens: it counts as much as the signing one.
    await refused(() => sagrada(sagradaOptions({ nodes: { [NODE_A]: { capacity: 1, secrets: [STRONG_HS256, 'Old-node-key'] } } })), `sagrada.nodes["${NODE_A}"].secrets[1]`, 'Old-node-key')
    await refused(() => sagrada(sagradaOptions({ secrets: ['Fallback-short'], nodes: { [NODE_A]: { capacity: 1 } } })), 'sagrada.secrets[0]', 'Fallback-short')
    await refused(() => sagrada(sagradaOptions({ metricsHashSecret: 'Metrics-key' })), 'sagrada.metricsHashSecret', 'Metrics-key')
    assert.ok(sagrada(sagradaOptions({ secrets: [STRONG_HS256], nodes: { [NODE_A]: { capacity: 1 }, [NODE_B]: { capacity: 1 } }, metricsHashSecret: STRONG_HS256 })))
  })

  test("strong values start: 32-byte HS256 keys, 8-character application/client secrets, the examples' changeit", async () => {
    const router = await polytoken({
      dialects: [
        { dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 }, keys: [{ secret: STRONG_HS256 }] }), prefix: '/pm' },
        { dialect: zazz({ clients: [{ id: 'web', secret: 'changeit', number: 1, scopes: ['full'] }], users: [], keys: [{ jwk: { kty: 'oct', k: b64url(STRONG_HS256) } }] }), prefix: '/zazz' },
        tokenGenerator({ sessionKeys: [{ secret: 'session-key-0123456789abcdef-0123' }], resourceKeys: [{ secret: 'resource-key-0123456789abcdef-0123' }], endpoint: 'x' }),
      ],
      store: 'memory://',
      masterKey: 'example-master-key-change-me-please',
      logger: silentLogger,
    })
    await router.close()
  })
})
