/**
 * Issue #16, item 1: a host app's body parsers (express.json(),
 * express.urlencoded({ extended: true }), express.text()) mounted before
 * `app.use('/auth', router)` no longer switch the routes' own checks off.
 * Every case is sent to the host app and to polytoken alone: both must give
 * the same status, in the owning dialect's envelope. Where they cannot
 * agree (bracket names the host's parser made into objects), the host app
 * refuses: nothing the route's parser would not have made reaches a handler.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync, gzipSync } from 'node:zlib'
import express from 'express'
import request, { type Response } from 'supertest'
import type { PolytokenRouter } from '@polytoken/express'
import {
  DOCUMENT_PERMISSION,
  ENVELOPES,
  LEGACY_BASIC,
  PATHS,
  PRODMANAGER_SECRET,
  SERVICE,
  assertion,
  createRouter,
  hostApp,
  sessionToken,
  standaloneApp,
  tokenAuth,
  type DialectName,
} from './parsers-fixture.js'

const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json'

interface Case {
  dialect: DialectName
  name: string
  body: string | Buffer
  contentType: string
  headers?: Record<string, string>
  status: number
  /** The standalone answer when it differs (bracket names: a field the route ignores, 200). */
  standaloneStatus?: number
}

/** A valid request's fields per dialect, as a form; each case adds to or replaces them. */
const VALID_FORM: Record<Exclude<DialectName, 'sagrada'>, string> = {
  zazz: 'grant_type=password&username=soroush&password=123&scope=full',
  tokenGenerator: `permission=${encodeURIComponent(JSON.stringify(DOCUMENT_PERMISSION))}`,
  prodmanager: `secret=${PRODMANAGER_SECRET}&name=host-app&description=made-through-a-host-app&permission=scope_api`,
  crew: `service=${SERVICE}&grant=web&scope=web:/v1/user:post`,
}
/** zazz answers what the others answer 415 with RFC 6749's 400 invalid_request. */
const UNSUPPORTED: Record<Exclude<DialectName, 'sagrada'>, number> = { zazz: 400, tokenGenerator: 415, prodmanager: 415, crew: 415 }
const FIELDS: Record<Exclude<DialectName, 'sagrada'>, number> = { zazz: 16, tokenGenerator: 64, prodmanager: 64, crew: 64 }
const FIELD_BYTES: Record<Exclude<DialectName, 'sagrada'>, number> = { zazz: 4096, tokenGenerator: 16_384, prodmanager: 16_384, crew: 16_384 }
const TAKES_JSON: Array<Exclude<DialectName, 'sagrada' | 'zazz'>> = ['tokenGenerator', 'prodmanager', 'crew']
const BODY_ROUTES: Array<Exclude<DialectName, 'sagrada'>> = ['zazz', ...TAKES_JSON]

const manyFields = (count: number) => Array.from({ length: count }, (_, i) => `f${i}=v`).join('&')
const manyKeys = (count: number) => JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v'])))
const extendedForm: Record<Exclude<DialectName, 'sagrada'>, { field: string; standaloneStatus: number }> = {
  // zazz: the form's username arrives as username[x]: missing username, 400 either way.
  zazz: { field: 'grant_type=password&password=123&username[x]=soroush', standaloneStatus: 400 },
  // token-generator: permission[Id]=x is a field the route ignores standalone (200); under extended: true it was an object headed for the claims.
  tokenGenerator: { field: 'permission[Id]=x', standaloneStatus: 200 },
  prodmanager: { field: `secret=${PRODMANAGER_SECRET}&name=host-app&permission[x]=scope_api`, standaloneStatus: 400 },
  crew: { field: `service=${SERVICE}&grant=web&scope[x]=web:/v1/user:post`, standaloneStatus: 400 },
}

function cases(): Case[] {
  const list: Case[] = []
  for (const dialect of BODY_ROUTES) {
    const valid = VALID_FORM[dialect]
    list.push(
      { dialect, name: `${FIELDS[dialect] + 4} form fields`, contentType: FORM, body: manyFields(FIELDS[dialect] + 4), status: 413 },
      { dialect, name: '500 form fields', contentType: FORM, body: manyFields(500), status: 413 },
      { dialect, name: `a ${FIELD_BYTES[dialect] + 1904}-byte field`, contentType: FORM, body: `${valid}&note=${'x'.repeat(FIELD_BYTES[dialect] + 1904)}`, status: 413 },
      { dialect, name: 'a 900 KB form', contentType: FORM, body: `${valid}&note=${'x'.repeat(900_000)}`, status: 413 },
      ...(dialect === 'crew' ? [] : [{ dialect, name: 'a field named __proto__', contentType: FORM, body: `${valid}&__proto__=x`, status: 400 }]),
      { dialect, name: 'a field named __proto__ with a value', contentType: FORM, body: `${valid}&__proto__=${'x'.repeat(40)}`, status: 400 },
      { dialect, name: 'a field named constructor', contentType: FORM, body: `${valid}&constructor=x`, status: 400 },
      { dialect, name: 'a latin1 form (charset=iso-8859-1)', contentType: `${FORM}; charset=iso-8859-1`, body: valid, status: UNSUPPORTED[dialect] },
      { dialect, name: 'a gzip form', contentType: FORM, headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(valid), status: UNSUPPORTED[dialect] },
      { dialect, name: 'a deflate form', contentType: FORM, headers: { 'Content-Encoding': 'deflate' }, body: deflateSync(valid), status: UNSUPPORTED[dialect] },
      { dialect, name: 'bracket names (an object under extended: true)', contentType: FORM, body: extendedForm[dialect].field, status: 400, standaloneStatus: extendedForm[dialect].standaloneStatus },
      { dialect, name: 'a one-item list from name[]', contentType: FORM, body: `${valid}&note[]=x`, status: 400, standaloneStatus: statusOfNote(dialect) },
    )
  }
  for (const dialect of TAKES_JSON) {
    list.push(
      { dialect, name: 'a 900 KB JSON body', contentType: JSON_TYPE, body: JSON.stringify({ note: 'x'.repeat(900_000) }), status: 413 },
      { dialect, name: 'JSON with 500 keys', contentType: JSON_TYPE, body: manyKeys(500), status: 413 },
      { dialect, name: 'gzip JSON', contentType: JSON_TYPE, headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(JSON.stringify({ note: 'x' })), status: 415 },
    )
  }
  return list
}

/** The standalone answer to a valid form plus an unknown field `note[]`: what the route makes of an extra field. */
function statusOfNote(dialect: Exclude<DialectName, 'sagrada'>): number {
  return dialect === 'crew' || dialect === 'prodmanager' ? 400 : 200
}

let router: PolytokenRouter
let host: express.Express
let standalone: express.Express
let tgCaller: string

before(async () => {
  router = await createRouter()
  host = hostApp(router)
  standalone = standaloneApp(router)
  tgCaller = await sessionToken({ tenant: 'acme' })
})
after(() => router.close())

function credentials(dialect: DialectName): Record<string, string> {
  if (dialect === 'zazz') return { Authorization: LEGACY_BASIC }
  if (dialect === 'tokenGenerator') return { Authorization: tokenAuth(tgCaller) }
  if (dialect === 'sagrada') return { Authorization: `BrowserID ${assertion()}` }
  return {}
}

function send(app: express.Express, path: string, c: Pick<Case, 'dialect' | 'body' | 'contentType' | 'headers'>, method: 'post' | 'get' = 'post') {
  const agent = request(app)
  const sent = (method === 'get' ? agent.get(path) : agent.post(path)).set({ ...credentials(c.dialect), 'Content-Type': c.contentType, ...c.headers })
  // superagent would write a Buffer out as JSON: the bytes go as they are.
  if (Buffer.isBuffer(c.body)) sent.serialize(() => c.body as unknown as string)
  return sent.send(c.body)
}

function assertEnvelope(dialect: DialectName, response: Response, label: string): void {
  assert.match(String(response.headers['content-type']), /^application\/json/, `${label}: ${response.headers['content-type']}`)
  assert.ok(ENVELOPES[dialect](response.body as Record<string, unknown>), `${label}: not ${dialect}'s envelope: ${response.text.slice(0, 200)}`)
  assert.equal((response.body as { host?: unknown }).host, undefined, `${label}: the host answered`)
}

/** The stable code each envelope shows, to compare host and standalone answers. */
function codeOf(dialect: DialectName, body: Record<string, unknown>): unknown {
  if (dialect === 'zazz') return body.error
  if (dialect === 'crew') return (body.errors as Array<{ code: unknown }>)[0]!.code
  if (dialect === 'sagrada') return body.status
  return body.code
}

describe('host parsers before polytoken: the route answers as it does alone', () => {
  for (const c of cases()) {
    test(`${c.dialect}: ${c.name} → ${c.status}`, async () => {
      const path = PATHS[c.dialect]
      const [fromHost, alone] = [await send(host, path, c), await send(standalone, path, c)]
      assert.equal(alone.status, c.standaloneStatus ?? c.status, `standalone: ${alone.text.slice(0, 200)}`)
      assert.equal(fromHost.status, c.status, `host app: ${fromHost.text.slice(0, 200)}`)
      assertEnvelope(c.dialect, fromHost, 'host app')
      if (c.standaloneStatus === undefined) assert.equal(codeOf(c.dialect, fromHost.body as Record<string, unknown>), codeOf(c.dialect, alone.body as Record<string, unknown>))
    })
  }

  test('crew: a short __proto__ beside fields a client may %-escape (":" and "/") is dropped by qs unseen: the route answers the form without it', async () => {
    // Known limit (docs/mounting.md): the bytes are gone, and the slack for escapes in "web:/v1/user:post" hides "&__proto__=x".
    const c = { dialect: 'crew' as const, contentType: FORM }
    const alone = await send(standalone, PATHS.crew, { ...c, body: `${VALID_FORM.crew}&__proto__=x` })
    assert.equal(alone.status, 400)
    const withField = await send(host, PATHS.crew, { ...c, body: `${VALID_FORM.crew}&__proto__=x` })
    const without = await send(host, PATHS.crew, { ...c, body: VALID_FORM.crew })
    assert.equal(withField.status, without.status)
    assert.deepEqual(Object.keys(withField.body as object), Object.keys(without.body as object))
  })

  test('valid requests through the host parsers still succeed, form and JSON, as they do alone', async () => {
    const valid: Array<[DialectName, string, string | object]> = [
      ['zazz', FORM, VALID_FORM.zazz],
      ['tokenGenerator', FORM, VALID_FORM.tokenGenerator],
      ['tokenGenerator', JSON_TYPE, { permission: DOCUMENT_PERMISSION }],
      ['prodmanager', FORM, `${VALID_FORM.prodmanager}&permission=service_api`],
      ['prodmanager', JSON_TYPE, { secret: PRODMANAGER_SECRET, name: 'host-app-json', description: 'made through a host app', permission: ['scope_api'] }],
      ['crew', FORM, VALID_FORM.crew],
      ['crew', JSON_TYPE, { service: SERVICE, grant: 'web', scope: 'web:/v1/user:post' }],
    ]
    for (const [dialect, contentType, body] of valid) {
      const c = { dialect, contentType, body: typeof body === 'string' ? body : JSON.stringify(body) }
      const fromHost = await send(host, PATHS[dialect], c)
      const alone = await send(standalone, PATHS[dialect], c)
      // 200, or crew's 201 (a new token).
      assert.ok(fromHost.status === 200 || fromHost.status === 201, `${dialect} ${contentType} via the host app: ${fromHost.status} ${fromHost.text.slice(0, 300)}`)
      assert.equal(fromHost.status, alone.status, `${dialect} ${contentType} alone: ${alone.text.slice(0, 300)}`)
    }
  })

  test('the host app keeps its own parsed bodies: /echo still gets express.json() and express.urlencoded() results', async () => {
    const json = await request(host)
      .post('/echo')
      .send({ a: { b: 1 } })
    assert.deepEqual(json.body, { youSent: { a: { b: 1 } } })
    const form = await request(host).post('/echo').type('form').send('a[b]=1')
    assert.deepEqual(form.body, { youSent: { a: { b: '1' } } })
  })
})

describe('sagrada (GET, takes no body): whatever the host parsed is ignored, as it is alone', () => {
  const bodies: Array<[string, string, string | Buffer, Record<string, string>?]> = [
    ['a 900 KB JSON body', JSON_TYPE, JSON.stringify({ note: 'x'.repeat(900_000) })],
    ['JSON with 500 keys', JSON_TYPE, manyKeys(500)],
    ['a form with __proto__', FORM, 'a=1&__proto__=x'],
    ['gzip JSON', JSON_TYPE, gzipSync('{"a":1}'), { 'Content-Encoding': 'gzip' }],
    ['a latin1 form', `${FORM}; charset=iso-8859-1`, 'a=%E9'],
  ]
  for (const [name, contentType, body, headers] of bodies) {
    test(`${name}: the same answer, sagrada's own`, async () => {
      for (const withCredentials of [true, false]) {
        const c = { dialect: 'sagrada' as const, contentType, body, headers: { ...headers, ...(withCredentials ? {} : { Authorization: '' }) } }
        const fromHost = await send(host, PATHS.sagrada, c, 'get')
        const alone = await send(standalone, PATHS.sagrada, c, 'get')
        assert.equal(fromHost.status, alone.status, `${fromHost.text.slice(0, 200)} / ${alone.text.slice(0, 200)}`)
        assert.equal(fromHost.status, withCredentials ? 200 : 401, fromHost.text.slice(0, 200))
        if (!withCredentials) assertEnvelope('sagrada', fromHost, 'host app')
      }
    })
  }
})

describe('express.text() and express.raw() read the body: it is parsed again by the route’s own parser', () => {
  let textHost: express.Express
  before(() => {
    textHost = hostApp(router, { parsers: [express.text({ type: JSON_TYPE, limit: '1mb' }), express.raw({ type: FORM, limit: '1mb' })] })
  })
  const reparsed: Array<[DialectName, string, string, number]> = [
    ['tokenGenerator', JSON_TYPE, JSON.stringify({ permission: DOCUMENT_PERMISSION }), 200],
    ['tokenGenerator', JSON_TYPE, '{"permission":', 400],
    ['tokenGenerator', JSON_TYPE, manyKeys(500), 413],
    ['crew', JSON_TYPE, JSON.stringify({ note: 'x'.repeat(70_000) }), 413],
    ['zazz', FORM, VALID_FORM.zazz, 200],
    ['zazz', FORM, `${VALID_FORM.zazz}&__proto__=x`, 400],
    ['zazz', FORM, manyFields(20), 413],
    ['zazz', FORM, `${VALID_FORM.zazz}&a=%zz`, 400],
    ['prodmanager', FORM, `${VALID_FORM.prodmanager}&permission[x]=1`, 400],
  ]
  for (const [dialect, contentType, body, status] of reparsed) {
    test(`${dialect}: ${body.slice(0, 40)}… (${contentType}) → ${status}, as alone`, async () => {
      const c = { dialect, contentType, body }
      const fromHost = await send(textHost, PATHS[dialect], c)
      const alone = await send(standalone, PATHS[dialect], c)
      assert.equal(alone.status, status, alone.text.slice(0, 200))
      assert.equal(fromHost.status, status, fromHost.text.slice(0, 200))
      assert.deepEqual(fromHost.status === 200 ? Object.keys(fromHost.body as object) : fromHost.body, alone.status === 200 ? Object.keys(alone.body as object) : alone.body)
    })
  }
})
