import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { memoryStore, silentLogger, type Clock, type StoreBackend } from '@polytoken/core'
import { crew, type CrewCertificate, type CrewOptions } from '@polytoken/plugins'

export const SERVICE = 'registry.test'
export const ISSUER = 'crew-test'
export const MASTER_KEY = 'crew-test-master-key-0123456789abcdef'

export function testOptions(overrides: Partial<CrewOptions> = {}): CrewOptions {
  return {
    issuer: ISSUER,
    service: [SERVICE, 'other.test'],
    users: { alice: { password: 'alice-pw' }, bob: { password: 'bob-pw' }, admin: { password: 'admin-pw' } },
    // Cheap hashes in tests; the cost is core's concern.
    passwordHashing: { N: 1024 },
    loginAttempts: { max: 5, windowMs: 60_000 },
    policy: [
      { account: 'admin', type: 'registry', name: 'catalog', actions: ['*'] },
      { account: '*', type: 'repository', name: '${account}/**', actions: ['*'] },
      { type: 'repository', name: 'library/**', actions: ['pull'] },
      { account: '', type: 'web', name: ['/v1/user', '/v1/user/auth'], actions: ['post'] },
      { account: '*', type: 'web', name: '/v1/**', actions: ['get', 'post'] },
    ],
    ...overrides,
  }
}

export interface TestServer {
  app: express.Express
  router: PolytokenRouter
  store: StoreBackend
  certificate: CrewCertificate
  close(): Promise<void>
}

export async function startApp(options: CrewOptions = testOptions(), extra: { clock?: Clock; store?: StoreBackend } = {}): Promise<TestServer> {
  const store = extra.store ?? memoryStore()
  let certificate: CrewCertificate | undefined
  const router = await polytoken({
    dialects: [crew({ ...options, onCertificate: (given) => void (certificate = given) })],
    store,
    masterKey: MASTER_KEY,
    logger: silentLogger,
    ...(extra.clock ? { clock: extra.clock } : {}),
  })
  const app = express()
  app.use(router)
  return { app, router, store, certificate: certificate!, close: () => (extra.store ? Promise.resolve() : router.close()) }
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
