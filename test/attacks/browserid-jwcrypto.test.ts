import { test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { createTokenlib } from '../../packages/plugins/src/sagrada/tokenlib.js'
import { NODE_A, SECRET_A, SECRET_B, createApp } from '../sagrada/fixture.js'
import { JWCRYPTO_NOW, jwcrypto, modulusBits } from '../fixtures/jwcrypto/index.js'

// Issue #13, item 2: about half of the RS assertions Mozilla's jwcrypto makes have a modulus one
// bit short. Fixtures made by jwcrypto itself (test/fixtures/jwcrypto/generate.cjs), fixed clock.
const trustedIssuers = Object.entries(jwcrypto.issuers).map(([issuer, publicKey]) => ({ issuer, publicKey }))
const token = (app: Parameters<typeof request>[0], bundle: string) => request(app).get('/1.0/sync/1.5').set('authorization', `BrowserID ${bundle}`)

test('sagrada starts with a jwcrypto-made 2047-bit issuer key and gives tokens for every jwcrypto-made assertion', async () => {
  assert.equal(modulusBits(jwcrypto.issuers['rs.jwcrypto.example']!), 2047)
  const { app, router } = await createApp({ browserid: { audiences: [jwcrypto.audience], trustedIssuers } }, { now: JWCRYPTO_NOW })
  try {
    const uids = new Set<number>()
    for (const fixture of jwcrypto.bundles.filter((b) => b.user !== 'rs64-511')) {
      const res = await token(app, fixture.bundle)
      assert.equal(res.status, 200, `${fixture.name}: ${JSON.stringify(res.body)}`)
      const payload = createTokenlib({ secrets: res.body.api_endpoint.startsWith(NODE_A) ? SECRET_A : SECRET_B, clock: () => JWCRYPTO_NOW }).parse(res.body.id)
      assert.equal(payload.fxa_uid, fixture.email.split('@')[0], fixture.name)
      // fxa_kid carries keysChangedAt (or the generation) from the issuer-signed certificate.
      const kid = (fixture.claims['fxa-keysChangedAt'] ?? fixture.claims['fxa-generation'] ?? 0) as number
      assert.equal(payload.fxa_kid, `${String(kid).padStart(13, '0')}-`, fixture.name)
      uids.add(res.body.uid)
    }
    assert.equal(uids.size, jwcrypto.bundles.length - 1, 'one user per fixture')
  } finally {
    await router.close()
  }
})

test('the jwcrypto-made RS64 (511-bit) assertion: refused by default, accepted with allowRs64Keys', async () => {
  const weak = jwcrypto.bundles.find((b) => b.user === 'rs64-511')!
  assert.equal(modulusBits(jwcrypto.users['rs64-511']!), 511)
  for (const allowRs64Keys of [false, true]) {
    const { app, router } = await createApp({ browserid: { audiences: [jwcrypto.audience], trustedIssuers, allowRs64Keys } }, { now: JWCRYPTO_NOW })
    try {
      const res = await token(app, weak.bundle)
      if (allowRs64Keys) assert.equal(res.status, 200)
      else
        assert.deepEqual(
          [res.status, res.body.status, res.body.errors[0].description],
          [401, 'invalid-credentials', 'certificate: RSA keys of 512 bits (RS64) are refused as too weak; set allowRs64Keys to allow them'],
        )
    } finally {
      await router.close()
    }
  }
})
