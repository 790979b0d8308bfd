/**
 * The peers, in the same Express app as polytoken (dev dependencies of bench/ only):
 *   POST /peer/oauth2/token   @node-oauth/express-oauth-server over @node-oauth/oauth2-server,
 *                             an in-memory model: password grant (scrypt at zazz's cost) and
 *                             refresh grant (rotation: alwaysIssueNewRefreshToken, the default)
 *   POST /peer/oidc/token     oidc-provider: client_credentials issuing ES256 JWT access tokens
 * Returns, per peer, "ok" or the reason it could not be mounted.
 */
import express, { type Express } from 'express'
import { randomBytes, scrypt, timingSafeEqual, generateKeyPairSync } from 'node:crypto'
import { FIX } from './fixtures.js'

export async function mountPeers(app: Express, port: () => number): Promise<Record<string, string>> {
  const status: Record<string, string> = {}
  try {
    await mountOAuth2Server(app)
    status.oauth2server = 'ok'
  } catch (error) {
    status.oauth2server = `not mounted: ${(error as Error).message}`
  }
  try {
    await mountOidcProvider(app, port)
    status.oidcProvider = 'ok'
  } catch (error) {
    status.oidcProvider = `not mounted: ${(error as Error).message}`
  }
  return status
}

const kdf = (password: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, 32, { N: FIX.kdf.N, r: FIX.kdf.r, p: FIX.kdf.p, maxmem: 256 * FIX.kdf.N * FIX.kdf.r + 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))),
  )

async function mountOAuth2Server(app: Express): Promise<void> {
  const { default: OAuthServer } = await import('@node-oauth/express-oauth-server')
  const salt = randomBytes(16)
  const user = { id: 1, username: FIX.zz.username, salt, hash: await kdf(FIX.zz.password, salt) }
  const client = { id: FIX.zz.clientId, grants: ['password', 'refresh_token'], accessTokenLifetime: 3600, refreshTokenLifetime: 14 * 86400 }
  const clientSecret = Buffer.from(FIX.zz.clientSecret)
  const refreshTokens = new Map<string, Record<string, unknown>>()
  const model = {
    async getClient(clientId: string, secret: string | null) {
      if (clientId !== client.id) return false
      if (secret !== null && secret !== undefined) {
        const given = Buffer.from(secret)
        if (given.length !== clientSecret.length || !timingSafeEqual(given, clientSecret)) return false
      }
      return client
    },
    async getUser(username: string, password: string) {
      if (username !== user.username) {
        await kdf(password, salt) // same time for an unknown user
        return false
      }
      const hash = await kdf(password, user.salt)
      return timingSafeEqual(hash, user.hash) ? { id: user.id, username: user.username } : false
    },
    async validateScope(_user: unknown, _client: unknown, scope: string[] | undefined) {
      return scope && scope.length > 0 ? scope.filter((s) => s === 'full') : ['full']
    },
    async saveToken(token: Record<string, unknown>, tokenClient: unknown, tokenUser: unknown) {
      const saved = { ...token, client: tokenClient, user: tokenUser }
      if (typeof token.refreshToken === 'string') refreshTokens.set(token.refreshToken, saved)
      return saved
    },
    async getRefreshToken(refreshToken: string) {
      return refreshTokens.get(refreshToken) ?? false
    },
    async revokeToken(token: { refreshToken: string }) {
      return refreshTokens.delete(token.refreshToken)
    },
  }
  const oauth = new OAuthServer({ model, accessTokenLifetime: 3600, refreshTokenLifetime: 14 * 86400, allowEmptyState: true })
  app.post('/peer/oauth2/token', express.urlencoded({ extended: false }), oauth.token())
}

async function mountOidcProvider(app: Express, port: () => number): Promise<void> {
  const { default: Provider } = await import('oidc-provider')
  const jwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' }
  let handler: express.RequestHandler | undefined
  const build = () =>
    new Provider(`http://127.0.0.1:${port()}/peer/oidc`, {
      clients: [
        {
          client_id: FIX.oidc.clientId,
          client_secret: FIX.oidc.clientSecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_basic',
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [jwk] },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'https://registry.bench',
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'repository:library/alpine:pull', audience: FIX.crew.service, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } }),
        },
      },
      scopes: ['repository:library/alpine:pull'],
      ttl: { ClientCredentials: 300 },
    })
  // The issuer names the port, known once the server listens: build on first use.
  app.use('/peer/oidc', (req, res, next) => {
    handler ??= build().callback()
    return handler(req, res, next)
  })
}
