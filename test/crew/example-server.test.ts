import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { importX509, jwtVerify } from 'jose'
import { silentLogger } from '@polytoken/core'
import { libtrustKeyId } from '../../packages/plugins/src/crew/libtrust-kid.js'
import { createExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'
import { decodeJwt } from '../helpers/jwt.js'
import { startExampleServer } from '../helpers/spawn-server.js'

test("the examples server: certificate under the data dir, the registry's auth.token config in its notes, the README session", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crew-example-'))
  const config = loadConfig({ POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir })
  // Only this dialect's section: the others are not under test here.
  const server = await createExampleServer({ ...config, sections: { crew: config.sections.crew! } }, {}, 'http://localhost:8080', silentLogger)
  try {
    assert.ok(server.warnings.includes('crew.users.genedna.password'), 'example passwords are warned about')
    const mount = server.mounts.find((m) => m.key === 'crew')!
    assert.equal(mount.prefix, '')
    const file = join(dataDir, 'crew-signing.pem')
    const pem = readFileSync(file, 'utf8')
    const certificate = new X509Certificate(pem)
    const notes = mount.notes!.join('\n')
    for (const line of ['realm: http://localhost:8080/v1/token', 'service: registry.local', 'issuer: polytoken-crew', `rootcertbundle: ${file}`]) {
      assert.ok(notes.includes(line), `notes hold "${line}":\n${notes}`)
    }

    const anonymous = await request(server.app).get('/v1/token?service=registry.local&scope=repository:library/alpine:pull')
    assert.equal(anonymous.status, 200, anonymous.text)
    const { header } = decodeJwt(anonymous.body.token)
    assert.equal(header.kid, libtrustKeyId(certificate.publicKey), 'the registry finds the key in the bundle by kid')
    await jwtVerify(anonymous.body.token, await importX509(pem, 'ES256'), { issuer: 'polytoken-crew', audience: 'registry.local' })
    assert.deepEqual(decodeJwt(anonymous.body.token).claims.access, [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }])

    const login = await request(server.app).get('/v1/token?service=registry.local&scope=repository:genedna/app:pull,push&account=genedna&offline_token=true&client_id=curl').auth('genedna', 'changeit')
    assert.equal(login.status, 200, login.text)
    assert.deepEqual(decodeJwt(login.body.token).claims.access, [{ type: 'repository', name: 'genedna/app', actions: ['pull', 'push'] }])

    const crewMd = await request(server.app).post('/v1/token').send({ service: 'registry.local', scope: 'scope=web:/v1/user:post;web:/v1/user/auth:post', account: '', grant: 'web' })
    assert.equal(crewMd.status, 201, crewMd.text)
    assert.deepEqual(
      decodeJwt(crewMd.body.token).claims.access.map((a: { actions: string[] }) => a.actions),
      [['post'], ['post']],
    )

    const refreshed = await request(server.app)
      .post('/v1/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, service: 'registry.local', client_id: 'curl', scope: 'repository:genedna/app:pull registry:catalog:*' })
    assert.equal(refreshed.status, 200, refreshed.text)
    assert.deepEqual(decodeJwt(refreshed.body.token).claims.access, [
      { type: 'repository', name: 'genedna/app', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: [] },
    ])
    assert.equal((await request(server.app).post('/v1/token/revoke').type('form').send({ token: login.body.refresh_token })).status, 200)

    const admin = await request(server.app).get('/v1/token?service=registry.local&scope=registry:catalog:*').auth('admin', 'changeit')
    assert.deepEqual(decodeJwt(admin.body.token).claims.access, [{ type: 'registry', name: 'catalog', actions: ['*'] }])
  } finally {
    await server.router.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

/** crew.md's request, as the document writes it: the request line (with its HTTP version), the headers, the body. */
const CREW_MD_REQUEST = {
  method: 'POST',
  path: '/v1/token',
  headers: { HOST: 'containerops.me', Accept: 'application/json', 'Content-Type': 'application/json' },
  body: '{\n  "service": "containerops.me",\n  "scope": "scope=web:/v1/user:post;web:/v1/user/auth:post",\n  "account": "",\n  "grant": "web"\n}',
}

test("npm start answers crew.md's own request (service containerops.me) with 201", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crew-example-'))
  // The repository's config.json, as `npm start` reads it; only the store and the data directory are the test's.
  const server = await startExampleServer({ POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir }, 90_000)
  try {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { port } = new URL(server.url)
      const sent = httpRequest({ host: '127.0.0.1', port, method: CREW_MD_REQUEST.method, path: CREW_MD_REQUEST.path, headers: CREW_MD_REQUEST.headers }, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body: text }))
      })
      sent.on('error', reject)
      sent.end(CREW_MD_REQUEST.body)
    })
    assert.equal(status, 201, body)
    const { claims } = decodeJwt((JSON.parse(body) as { token: string }).token)
    assert.equal(claims.aud, 'containerops.me')
    assert.deepEqual(claims.access, [
      { type: 'web', name: '/v1/user', actions: ['post'] },
      { type: 'web', name: '/v1/user/auth', actions: ['post'] },
    ])
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
