import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger, type Clock, type PasswordHasher, type PasswordHasherOptions, type StoreBackend } from '@polytoken/core'
import { zazz, type ZazzOptions } from '@polytoken/plugins'

export const LEGACY_CLIENT = 'hdi7o53NSeilrq7oQihy69PvH9BBQtw5QfcJy4ALBuY'
/** Characters that the RFC 6749 §2.3.1 form-encoding must carry through Basic. */
export const WEB_SECRET = 's3cret:+/ &%'

export function testOptions(overrides: Partial<ZazzOptions> = {}): ZazzOptions {
  return {
    clients: [
      { id: LEGACY_CLIENT, number: 1, scopes: ['full'] },
      { id: 'web app', secret: WEB_SECRET, number: 2, scopes: ['full', 'read', 'write'], defaultScopes: ['full'] },
      { id: 'other', secret: 'other-secret', number: 3, scopes: ['full'] },
      { id: 'resource-server', secret: 'rs-secret', number: 4, scopes: [], grantTypes: [], introspectAny: true },
      { id: 'password-only', secret: 'po-secret', number: 5, grantTypes: ['password'] },
    ],
    users: [
      { username: 'soroush', password: '123', userId: 1, displayName: 'Soroush' },
      { username: 'bigclub', password: 'club-password', accountType: 'Club', isConfirmed: true, photo: { originalLink: '/Images/clubs/1.jpg' } },
    ],
    // Cheap hashes in tests; the cost itself is what the unit tests of users.ts and the README are about.
    passwordHash: { N: 1024, r: 8, p: 1 },
    bruteForce: { maxPerUsernameAddress: 5, maxPerAddress: 8, windowSec: 60 },
    ...overrides,
  }
}

export interface TestServer {
  app: express.Express
  router: PolytokenRouter
  close(): Promise<void>
}

export async function startApp(
  options: ZazzOptions = testOptions(),
  extra: { clock?: Clock; prefix?: string; store?: StoreBackend; passwordHashing?: PasswordHasherOptions | PasswordHasher; masterKey?: string } = {},
): Promise<TestServer> {
  const router = await polytoken({
    dialects: [{ dialect: zazz(options), prefix: extra.prefix ?? '' }],
    store: extra.store ?? 'memory://',
    masterKey: extra.masterKey ?? 'zazz-test-master-key-0123456789abcdef',
    logger: silentLogger,
    ...(extra.clock ? { clock: extra.clock } : {}),
    ...(extra.passwordHashing ? { passwordHashing: extra.passwordHashing } : {}),
  })
  const app = express()
  app.set('trust proxy', true)
  app.use(router)
  return { app, router, close: () => router.close() }
}

/** RFC 6749 §2.3.1 Basic: base64(urlencode(id) ":" urlencode(secret)). */
export function rfcBasic(id: string, secret: string): string {
  const enc = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`
}

export const LEGACY_BASIC = `Basic ${LEGACY_CLIENT}`
export const WEB_BASIC = rfcBasic('web app', WEB_SECRET)
