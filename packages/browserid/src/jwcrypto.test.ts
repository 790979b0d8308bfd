import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLocalBrowserIdVerifier, importBrowserIdPublicKey, type FetchLike } from './index.js'
import { JWCRYPTO_NOW, jwcrypto, modulusBits } from '../../../test/fixtures/jwcrypto/index.js'

// Keys, certificates and assertions made by Mozilla's own jwcrypto (test/fixtures/jwcrypto/generate.cjs).
const RS_ISSUER = 'rs.jwcrypto.example'
const DS_ISSUER = 'ds.jwcrypto.example'

function verifier(extra: Partial<Parameters<typeof createLocalBrowserIdVerifier>[0]> = {}) {
  return createLocalBrowserIdVerifier({
    audiences: [jwcrypto.audience],
    trustedIssuers: Object.entries(jwcrypto.issuers).map(([issuer, publicKey]) => ({ issuer, publicKey })),
    clock: () => JWCRYPTO_NOW,
    ...extra,
  })
}

const signatureBytes = (jws: string) => Buffer.from(jws.split('.')[2]!, 'base64url').length

test('the fixtures cover what they claim: N-1 moduli for the issuer and for RS256, RS128 and RS64 user keys, and short signatures', () => {
  assert.equal(modulusBits(jwcrypto.issuers[RS_ISSUER]!), 2047)
  assert.equal(modulusBits(jwcrypto.users['rs256-2047']!), 2047)
  assert.equal(modulusBits(jwcrypto.users['rs128-1023']!), 1023)
  assert.equal(modulusBits(jwcrypto.users['rs64-511']!), 511)
  const short = (name: string) => jwcrypto.bundles.find((b) => b.name.startsWith(name))!.bundle.split('~') as [string, string]
  assert.ok(signatureBytes(short('certificate signature shorter')[0]) < 256)
  assert.ok(signatureBytes(short('assertion signature shorter')[1]) < 128)
})

test('a 2047-bit configured issuer key (jwcrypto-made) is accepted: the server starts', () => {
  assert.equal(importBrowserIdPublicKey(jwcrypto.issuers[RS_ISSUER]).algorithm, 'RS256')
  assert.ok(verifier())
})

test('every jwcrypto-made assertion verifies (RS N-1 and N, DS128, DS256, short signatures), claims from the certificate', async () => {
  const v = verifier({ allowRs64Keys: true })
  for (const fixture of jwcrypto.bundles) {
    const identity = await v.verify(fixture.bundle)
    assert.equal(identity.email, fixture.email, fixture.name)
    assert.equal(identity.issuer, fixture.issuer, fixture.name)
    assert.deepEqual(identity.idpClaims, fixture.claims, fixture.name)
  }
})

test('the jwcrypto-made RS64 (511-bit) user key is refused without allowRs64Keys', async () => {
  const weak = jwcrypto.bundles.find((b) => b.user === 'rs64-511')!
  await assert.rejects(verifier().verify(weak.bundle), { code: 'ERR_TOKEN_INVALID', message: /RS64\) are refused as too weak; set allowRs64Keys/ })
  for (const fixture of jwcrypto.bundles.filter((b) => b.user !== 'rs64-511')) assert.equal((await verifier().verify(fixture.bundle)).email, fixture.email, fixture.name)
})

test('jwcrypto-made issuer keys also work from a support document', async () => {
  const fetchStub: FetchLike = async (url) => {
    const issuer = new URL(url).hostname
    return { status: 200, text: async () => JSON.stringify({ authentication: '/auth', provisioning: '/prov', 'public-key': jwcrypto.issuers[issuer] }) }
  }
  const v = createLocalBrowserIdVerifier({
    audiences: [jwcrypto.audience],
    trustedIssuers: [{ issuer: RS_ISSUER }, { issuer: DS_ISSUER }],
    clock: () => JWCRYPTO_NOW,
    supportDocuments: { fetch: fetchStub },
  })
  for (const fixture of jwcrypto.bundles.filter((b) => b.user !== 'rs64-511')) assert.equal((await v.verify(fixture.bundle)).email, fixture.email, fixture.name)
})
