import express from 'express'
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger, type PolytokenOptions } from '@polytoken/core'
import { tokenGenerator, type TokenGeneratorOptions } from '@polytoken/plugins'

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef'
export const RESOURCE_SECRET = 'test-resource-secret-0123456789abcdef'
export const ENDPOINT = 'localhost:5001'
export const PATH = '/api/v1/token'

/** The document's request body, byte for byte. */
export const DOCUMENT_BODY =
  'permission=%7B%22abilities%22%3A%7B%22album_id%22%3A%7B%22Access%22%3A%7B%22see%22%3Atrue%2C%22image_list%22%3Atrue%2C%22image_upload%22%3Atrue%2C%22image_delete%22%3Atrue%2C%22fullscreen%22%3Atrue%2C%22image_caption%22%3Atrue%7D%7D%2C%22tags%22%3A%7B%22auto_tag%22%3A%22test%22%7D%7D%2C%22Id%22%3A%22album_id%22%7D'
export const DOCUMENT_PERMISSION = {
  abilities: {
    album_id: { Access: { see: true, image_list: true, image_upload: true, image_delete: true, fullscreen: true, image_caption: true } },
    tags: { auto_tag: 'test' },
  },
  Id: 'album_id',
}

export const testOptions = (extra: Partial<TokenGeneratorOptions> = {}): TokenGeneratorOptions => ({
  sessionKeys: [{ secret: SESSION_SECRET }],
  resourceKeys: [{ secret: RESOURCE_SECRET }],
  endpoint: ENDPOINT,
  ...extra,
})

export interface TestApp {
  app: express.Express
  router: PolytokenRouter
}

export async function createApp(extra: Partial<TokenGeneratorOptions> = {}, router: Partial<Omit<PolytokenOptions, 'dialects'>> = {}): Promise<TestApp> {
  const mounted = await polytoken({
    dialects: [tokenGenerator(testOptions(extra))],
    store: 'memory://',
    masterKey: 'token-generator-test-master-key-0123456789',
    logger: silentLogger,
    ...router,
  })
  const app = express()
  app.use(mounted)
  return { app, router: mounted }
}

/** A session token as the original's Rails side makes one: HS256, no kid, exp/iat/user_id. Signed with jose, not with polytoken. */
export async function sessionToken(
  claims: Record<string, unknown> = {},
  { secret = SESSION_SECRET, lifetimeSec = 4 * 3600, alg = 'HS256', header = {} }: { secret?: string; lifetimeSec?: number; alg?: string; header?: Record<string, unknown> } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ exp: now + lifetimeSec, iat: now, user_id: 'f551a1cb-930e-4501-87a9-f51a0718da3e', ...claims })
    .setProtectedHeader({ typ: 'JWT', alg, ...header })
    .sign(new TextEncoder().encode(secret))
}

export const tokenAuth = (token: string) => `Token token="${token}"`

export { decodeJwt, decodeProtectedHeader }
