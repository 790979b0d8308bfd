/**
 * What a naive implementation gets: bare Express routes that parse the body
 * the way most apps do (express.json(), express.urlencoded(), multer for
 * multipart), verify incoming JWTs with jose on every request (no cache) and
 * sign the same claims as each dialect with jose. Keys are imported once at
 * start-up (a naive app does that too). No policy engine, no records, no
 * error envelopes: the least work that answers the same request.
 */
import express, { type Request, type Response } from 'express'
import multer from 'multer'
import { createHash, createHmac, generateKeyPairSync, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { SignJWT, importPKCS8, jwtVerify, type CryptoKey as JoseKey } from 'jose'
import { FIX } from './fixtures.js'

const enc = new TextEncoder()
const hsPm = enc.encode(FIX.pm.signingSecret)
const hsSession = enc.encode(FIX.tg.sessionSecret)
const hsResource = enc.encode(FIX.tg.resourceSecret)
const hsZazz = enc.encode('bench-zazz-naive-secret-0123456789')
const pem = (type: 'ec' | 'rsa') =>
  (type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
const es256 = await importPKCS8(pem('ec'), 'ES256')
const rs256 = await importPKCS8(pem('rsa'), 'RS256')

const epoch = () => Math.floor(Date.now() / 1000)

/** An HS256 session token as token-generator's callers hold (the same for the naive route and the dialect). */
export function mintSessionToken(): string {
  const now = epoch()
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url')
  const payload = Buffer.from(JSON.stringify({ exp: now + 6 * 3600, iat: now, user_id: FIX.tg.userId })).toString('base64url')
  return `${header}.${payload}.${createHmac('sha256', FIX.tg.sessionSecret).update(`${header}.${payload}`).digest('base64url')}`
}

function tokenFromHeader(req: Request): string | undefined {
  const value = req.headers.authorization ?? ''
  const match = /^(?:Token\s+token="?([^",\s]+)"?|Bearer\s+(\S+))/i.exec(value)
  return match?.[1] ?? match?.[2]
}

/** Docker scope `type:name:actions` → one access entry, granted as asked (no policy). */
function access(scope: unknown) {
  const scopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? [scope] : []
  return scopes.map((s: string) => {
    const first = s.indexOf(':')
    const last = s.lastIndexOf(':')
    return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',') }
  })
}

async function crewToken(key: JoseKey, alg: 'ES256' | 'RS256', account: string, service: string, scope: unknown) {
  const now = epoch()
  const token = await new SignJWT({ access: access(scope) })
    .setProtectedHeader({ typ: 'JWT', alg, kid: 'naive' })
    .setIssuer(FIX.crew.issuer)
    .setSubject(account)
    .setAudience(service)
    .setExpirationTime(now + 300)
    .setNotBefore(now)
    .setIssuedAt(now)
    .setJti(randomUUID())
    .sign(key)
  return { token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }
}

/** tokenlib (Mozilla) with node:crypto: HKDF signing key, HMAC, HKDF derived secret — no JWT library involved. */
const tokenlibSigningKey = Buffer.from(hkdfSync('sha256', Buffer.from(FIX.sg.nodeSecret), Buffer.alloc(0), 'services.mozilla.com/tokenlib/v1/signing', 32))
function tokenlib(payload: Record<string, unknown>): { token: string; key: string } {
  const bytes = Buffer.from(JSON.stringify({ ...payload, salt: randomBytes(3).toString('hex') }))
  const token = Buffer.concat([bytes, createHmac('sha256', tokenlibSigningKey).update(bytes).digest()]).toString('base64url')
  const padded = token + '='.repeat((4 - (token.length % 4)) % 4)
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(FIX.sg.nodeSecret), Buffer.from(JSON.parse(bytes.toString()).salt), `services.mozilla.com/tokenlib/v1/derive/${padded}`, 32)).toString(
    'base64url',
  )
  return { token: padded, key }
}

export function naiveRoutes(): express.Router {
  const router = express.Router()
  const form = express.urlencoded({ extended: false })
  const json = express.json()
  const multipart = multer({ limits: { fieldSize: 16 * 1024, fields: 64 } }).none()
  const pmSecret = createHash('sha256').update(FIX.pm.secret).digest()
  const permissionIds: Record<string, number> = { scope_api: 1, service_api: 2 }

  // prodmanager POST /token/create: multipart, secret, HS256.
  router.post('/pm-create', multipart, async (req: Request, res: Response) => {
    const body = req.body as Record<string, string | string[]>
    if (
      !timingSafeEqual(
        createHash('sha256')
          .update(String(body.secret ?? ''))
          .digest(),
        pmSecret,
      )
    )
      return void res.status(401).json({ message: 'bad secret' })
    const names = ([] as string[]).concat(body.permission ?? [])
    const now = epoch()
    const token = await new SignJWT({ version: 1, permissions: names.map((n) => permissionIds[n]) })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256', kid: 'naive' })
      .setIssuer(FIX.pm.issuer)
      .setAudience(String(body.name))
      .setSubject(String(body.description))
      .setNotBefore(now)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomUUID())
      .sign(hsPm)
    res.type('text/plain').send(token)
  })

  // Any Bearer HS256 check (prodmanager whoami, zazz /me): jose on every request.
  router.get('/verify-hs256', async (req: Request, res: Response) => {
    const token = tokenFromHeader(req)
    try {
      const { payload } = await jwtVerify(token ?? '', hsPm, { algorithms: ['HS256'], requiredClaims: ['exp'] })
      res.json(payload)
    } catch {
      res.status(401).json({ message: 'invalid token' })
    }
  })

  // token-generator POST /api/v1/token: urlencoded, verify the session token, merge permission, HS256.
  router.post('/tg-exchange', form, async (req: Request, res: Response) => {
    let claims: Record<string, unknown>
    try {
      claims = (await jwtVerify(tokenFromHeader(req) ?? '', hsSession, { algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'user_id'] })).payload
    } catch {
      return void res.status(401).json({ error: 'invalid token' })
    }
    let permission: Record<string, unknown> = {}
    try {
      if (req.body?.permission) permission = JSON.parse(req.body.permission)
    } catch {
      return void res.status(400).json({ error: 'permission is not valid JSON' })
    }
    const token = await new SignJWT({ ...claims, ...permission }).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(hsResource)
    res.setHeader('Cache-Control', 'no-cache, no-store')
    res.json({ token, endpoint: 'localhost:5001' })
  })

  // crew GET /v1/token (Docker flow, anonymous) and POST (crew.md JSON).
  router.get('/crew-es256', async (req: Request, res: Response) => {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the naive baseline takes the query as it comes, as naive code does
    res.json(await crewToken(es256, 'ES256', '', String(req.query.service), req.query.scope))
  })
  router.post('/crew-es256', json, async (req: Request, res: Response) => {
    res.status(201).json(await crewToken(es256, 'ES256', req.body?.account ?? '', String(req.body?.service), req.body?.scope))
  })
  router.get('/crew-rs256', async (req: Request, res: Response) => {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the naive baseline takes the query as it comes, as naive code does
    res.json(await crewToken(rs256, 'RS256', '', String(req.query.service), req.query.scope))
  })

  // sagrada: the tokenlib token and its derived secret with node:crypto (the HMAC baseline; no assertion check).
  router.get('/tokenlib', (_req: Request, res: Response) => {
    const now = epoch()
    const { token, key } = tokenlib({ uid: 1, node: FIX.sg.node, expires: now + 300, fxa_uid: 'bench-user', fxa_kid: '0000000000000-AA' })
    res.json({ id: token, key, uid: 1, api_endpoint: `${FIX.sg.node}/1.5/1`, duration: 300, hashalg: 'sha256' })
  })

  // zazz refresh grant: urlencoded, client Basic, rotate a refresh token held in a Map, HS256 access token.
  const refresh = new Map<string, { userId: number }>()
  const clientDigest = createHash('sha256').update(FIX.zz.clientSecret).digest()
  router.post('/zazz-login', (_req: Request, res: Response) => {
    const token = randomBytes(32).toString('base64url')
    refresh.set(token, { userId: 1 })
    res.json({ refresh_token: token })
  })
  router.post('/zazz-token', form, async (req: Request, res: Response) => {
    const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic\s+/i, ''), 'base64').toString()
    const secret = decodeURIComponent(basic.slice(basic.indexOf(':') + 1).replace(/\+/g, ' '))
    if (!timingSafeEqual(createHash('sha256').update(secret).digest(), clientDigest)) return void res.status(401).json({ error: 'invalid_client' })
    const record = refresh.get(req.body?.refresh_token)
    if (req.body?.grant_type !== 'refresh_token' || !record) return void res.status(400).json({ error: 'invalid_grant' })
    refresh.delete(req.body.refresh_token)
    const next = randomBytes(32).toString('base64url')
    refresh.set(next, record)
    const now = epoch()
    const access = await new SignJWT({ usr: record.userId, client: 1, tokenType: 'accessToken', fam: 'f', scope: 'full' })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256', kid: 'naive' })
      .setExpirationTime(now + 3600)
      .setAudience(FIX.zz.audience)
      .setIssuer(FIX.zz.issuer)
      .setNotBefore(now)
      .setIssuedAt(now)
      .setJti(randomUUID())
      .sign(hsZazz)
    res.setHeader('Cache-Control', 'no-store')
    res.json({ access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: next, scope: 'full', user: { userId: record.userId } })
  })
  return router
}
