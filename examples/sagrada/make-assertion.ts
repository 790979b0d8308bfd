/**
 * Print a BrowserID assertion (`cert~assertion`) that the examples server
 * accepts: a fresh DSA user key, certified for EMAIL by the EXAMPLE issuer
 * key of this repository, signed for AUDIENCE.
 *
 *   npx tsx examples/sagrada/make-assertion.ts [email] [audience] [issuer]
 *
 * The issuer key in this folder is public and for trying things out only:
 * anyone can mint identities with it. Never trust it in a real deployment.
 */
import { readFileSync } from 'node:fs'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'

const [email = 'alice@example.com', audience = `http://localhost:${process.env.PORT ?? 8080}`, issuer = 'example-issuer.localhost'] = process.argv.slice(2)
const issuerKey = createPrivateKey(readFileSync(new URL('./example-issuer-key.EXAMPLE-ONLY.pem', import.meta.url), 'utf8'))
const user = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
const now = Date.now()
const certificate = createBrowserIdCertificate({ issuer, issuerKey, email, publicKey: user.publicKey, issuedAt: now, expiresAt: now + 60 * 60 * 1000 })
process.stdout.write(createBrowserIdAssertion({ certificates: [certificate], userKey: user.privateKey, audience, expiresAt: now + 5 * 60 * 1000 }) + '\n')
