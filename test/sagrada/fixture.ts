import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { sagrada, type SagradaOptions } from '@polytoken/plugins'
import { silentLogger, type StoreBackend } from '@polytoken/core'
import { createBrowserIdAssertion, createBrowserIdCertificate, exportBrowserIdPublicKey } from '@polytoken/browserid'

export const AUDIENCE = 'https://token.example.com'
export const ISSUER = 'accounts.example.com'
export const NODE_A = 'https://sync-a.example.com'
export const NODE_B = 'https://sync-b.example.com'
export const SECRET_A = 'node-a-secret-0123456789abcdefghijklmnop'
export const SECRET_B = 'node-b-secret-0123456789abcdefghijklmnop'

export const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
export const userKeys = {
  ds128: generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }),
  rs128: generateKeyPairSync('rsa', { modulusLength: 1024 }),
}

export function options(overrides: Partial<SagradaOptions> = {}): SagradaOptions {
  return {
    applications: {
      sync: { '1.5': { endpoint: '{node}/1.5/{uid}', nodes: [NODE_A, NODE_B] }, '2.0': { endpoint: '{node}/{service}/{uid}', nodes: [NODE_B] } },
    },
    nodes: {
      [NODE_A]: { capacity: 100, secrets: [SECRET_A], type: 'spanner' },
      [NODE_B]: { capacity: 100, secrets: [SECRET_B] },
    },
    browserid: { audiences: [AUDIENCE], trustedIssuers: [{ issuer: ISSUER, publicKey: exportBrowserIdPublicKey(issuerKeys.publicKey) }] },
    ...overrides,
  }
}

export interface Clock {
  now: number
}

export async function createApp(overrides: Partial<SagradaOptions> = {}, clock: Clock = { now: Date.now() }, store?: StoreBackend | string | { keyv: unknown; timeoutMs: number }) {
  const router: PolytokenRouter = await polytoken({
    dialects: [sagrada(options(overrides))],
    ...(store ? { store: store as never } : {}),
    logger: silentLogger,
    clock: () => clock.now,
  })
  const app = express()
  app.use(router)
  return { app, router, clock }
}

export interface AssertionOptions {
  email?: string
  audience?: string
  issuer?: string
  issuerKey?: KeyObject
  user?: { publicKey: KeyObject; privateKey: KeyObject }
  /** Sign the assertion with this key instead of the certified one. */
  signWith?: KeyObject
  now?: number
  assertionTtlMs?: number
  certTtlMs?: number
  claims?: Record<string, unknown>
}

/** A real `cert~assertion` bundle, as Firefox built them. */
export function assertion(opts: AssertionOptions = {}): string {
  const now = opts.now ?? Date.now()
  const user = opts.user ?? userKeys.ds128
  const cert = createBrowserIdCertificate({
    issuer: opts.issuer ?? ISSUER,
    issuerKey: opts.issuerKey ?? issuerKeys.privateKey,
    email: opts.email ?? 'alice@example.com',
    publicKey: user.publicKey,
    issuedAt: now - 1000,
    expiresAt: now + (opts.certTtlMs ?? 3_600_000),
    ...(opts.claims ? { claims: opts.claims } : {}),
  })
  return createBrowserIdAssertion({ certificates: [cert], userKey: opts.signWith ?? user.privateKey, audience: opts.audience ?? AUDIENCE, expiresAt: now + (opts.assertionTtlMs ?? 300_000) })
}
