/**
 * A stock Docker Distribution 2.8 registry (Debian's docker-registry package)
 * configured for token auth against crew, driven over HTTP the way Docker
 * clients drive it: registry challenge → token request → registry request.
 *
 * The package is installed by test/crew/registry/ensure-registry.sh when it
 * is missing; when it cannot be installed the test says so and is skipped.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { crew } from '@polytoken/plugins'

const SERVICE = 'registry.test'
const ISSUER = 'polytoken-interop'
const ensure = spawnSync('sh', [new URL('./registry/ensure-registry.sh', import.meta.url).pathname], { encoding: 'utf8', timeout: 240_000 })
const registryBin = ensure.status === 0 ? ensure.stdout.trim() : undefined
const skipReason = registryBin
  ? undefined
  : `Docker Distribution (Debian package docker-registry) is not available and could not be installed: ${(ensure.stderr || ensure.error?.message || `exit ${ensure.status}`).trim()}`

interface Challenge {
  scheme: string
  params: Record<string, string>
}

function parseChallenge(header: string | null): Challenge {
  assert.ok(header, 'the registry sends WWW-Authenticate')
  const scheme = header.split(' ', 1)[0]!
  const params: Record<string, string> = {}
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!] = match[2]!
  return { scheme, params }
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

// Both ways a registry finds the key: by the libtrust `kid` in its bundle, and through the `x5c` chain.
const variants = [
  { label: 'ES256, key found by libtrust kid', algorithm: 'ES256', x5c: false },
  { label: 'RS256, key found through x5c', algorithm: 'RS256', x5c: true },
] as const

for (const variant of variants)
  describe(`crew ↔ Docker Distribution 2.8 registry (${variant.label})`, { skip: skipReason }, () => {
    let dir: string
    let router: PolytokenRouter
    let authServer: Server
    let registry: ChildProcess
    let registryLog = ''
    let registryUrl: string
    let realm: string

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crew-interop-'))
      const certificateFile = join(dir, 'crew.pem')
      router = await polytoken({
        dialects: [
          crew({
            issuer: ISSUER,
            service: SERVICE,
            algorithm: variant.algorithm,
            x5c: variant.x5c,
            users: { alice: { password: 'alice-pw' }, bob: { password: 'bob-pw' }, admin: { password: 'admin-pw' } },
            passwordHashing: { N: 1024 },
            policy: [
              { account: 'admin', type: 'registry', name: 'catalog', actions: ['*'] },
              { account: 'admin', type: 'repository', name: 'library/**', actions: ['*'] },
              { account: '*', type: 'repository', name: '${account}/**', actions: ['*'] },
              { type: 'repository', name: 'library/**', actions: ['pull'] },
            ],
            onCertificate: (certificate) => writeFileSync(certificateFile, certificate.pem),
          }),
        ],
        store: 'memory://',
        masterKey: 'interop-master-key-0123456789abcdef',
        logger: silentLogger,
      })
      const app = express()
      app.use(router)
      authServer = createServer(app)
      await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve))
      realm = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}/v1/token`

      const port = await freePort()
      registryUrl = `http://127.0.0.1:${port}`
      const config = join(dir, 'config.yml')
      writeFileSync(
        config,
        [
          'version: 0.1',
          'log:',
          '  level: warn',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${join(dir, 'storage')}`,
          'http:',
          `  addr: 127.0.0.1:${port}`,
          '  secret: interop-http-secret',
          'auth:',
          '  token:',
          `    realm: ${realm}`,
          `    service: ${SERVICE}`,
          `    issuer: ${ISSUER}`,
          `    rootcertbundle: ${certificateFile}`,
          '',
        ].join('\n'),
      )
      registry = spawn(registryBin!, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
      registry.stdout!.on('data', (chunk) => (registryLog += chunk))
      registry.stderr!.on('data', (chunk) => (registryLog += chunk))
      const deadline = Date.now() + 15_000
      for (;;) {
        try {
          const response = await fetch(`${registryUrl}/v2/`)
          if (response.status === 401) break
        } catch {
          // not listening yet
        }
        if (registry.exitCode !== null || Date.now() > deadline) throw new Error(`registry did not start:\n${registryLog}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })

    after(async () => {
      if (registry && registry.exitCode === null) {
        const exited = new Promise((resolve) => registry.once('exit', resolve))
        registry.kill('SIGTERM')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
        if (registry.exitCode === null) registry.kill('SIGKILL')
      }
      await new Promise<void>((resolve) => (authServer ? authServer.close(() => resolve()) : resolve()))
      await router?.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    /** What a Docker client does with a registry 401: ask the realm for a token for the challenged scope. */
    async function tokenFor(challengeHeader: string | null, user?: [string, string]): Promise<{ token: string; challenge: Challenge; body: Record<string, unknown> }> {
      const challenge = parseChallenge(challengeHeader)
      assert.equal(challenge.scheme, 'Bearer')
      assert.equal(challenge.params.realm, realm)
      assert.equal(challenge.params.service, SERVICE)
      const url = new URL(challenge.params.realm)
      url.searchParams.set('service', challenge.params.service)
      for (const scope of (challenge.params.scope ?? '').split(' ').filter(Boolean)) url.searchParams.append('scope', scope)
      const headers: Record<string, string> = {}
      if (user) {
        url.searchParams.set('account', user[0])
        headers.authorization = `Basic ${Buffer.from(`${user[0]}:${user[1]}`).toString('base64')}`
      }
      const response = await fetch(url, { headers })
      const body = (await response.json()) as Record<string, unknown>
      assert.equal(response.status, 200, JSON.stringify(body))
      assert.equal(body.token, body.access_token)
      const header = JSON.parse(Buffer.from((body.token as string).split('.')[0]!, 'base64url').toString('utf8')) as { alg: string; x5c?: string[] }
      assert.equal(header.alg, variant.algorithm)
      assert.equal(header.x5c !== undefined, variant.x5c)
      return { token: body.token as string, challenge, body }
    }

    /** One registry call with the Docker client's retry: 401 → token → same call with Bearer. */
    async function call(path: string, init: RequestInit & { user?: [string, string] } = {}): Promise<{ response: Response; challenge: Challenge }> {
      const { user, ...rest } = init
      const first = await fetch(`${registryUrl}${path}`, rest)
      assert.equal(first.status, 401, `unauthenticated ${rest.method ?? 'GET'} ${path} is challenged`)
      await first.arrayBuffer()
      const { token, challenge } = await tokenFor(first.headers.get('www-authenticate'), user)
      const response = await fetch(`${registryUrl}${path}`, { ...rest, headers: { ...(rest.headers as Record<string, string>), authorization: `Bearer ${token}` } })
      return { response, challenge }
    }

    async function pushBlob(repository: string, data: Buffer, user: [string, string]): Promise<string> {
      const digest = sha256(data)
      const { response: started, challenge } = await call(`/v2/${repository}/blobs/uploads/`, { method: 'POST', user })
      // The registry lists the actions in no fixed order.
      assert.match(challenge.params.scope!, new RegExp(`^repository:${repository}:(pull,push|push,pull)$`))
      assert.equal(started.status, 202, await started.clone().text())
      const location = new URL(started.headers.get('location')!, registryUrl)
      location.searchParams.set('digest', digest)
      // The upload URL carries its own state; the registry asks for the token again, as it does for Docker.
      const { token } = await tokenFor(challengeHeader(challenge), user)
      const done = await fetch(location, { method: 'PUT', body: data, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' } })
      assert.equal(done.status, 201, await done.text())
      assert.equal(done.headers.get('docker-content-digest'), digest)
      return digest
    }

    function challengeHeader(challenge: Challenge): string {
      return `Bearer ${Object.entries(challenge.params)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}`
    }

    async function pushImage(repository: string, tag: string, user: [string, string]): Promise<string> {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }))
      const layer = Buffer.from(`layer of ${repository} ${Date.now()}`)
      const configDigest = await pushBlob(repository, config, user)
      const layerDigest = await pushBlob(repository, layer, user)
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
          layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
        }),
      )
      const { response } = await call(`/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        body: manifest,
        headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
        user,
      })
      assert.equal(response.status, 201, await response.text())
      assert.equal(response.headers.get('docker-content-digest'), sha256(manifest))
      return sha256(manifest)
    }

    test('the registry challenges with our realm and service', async () => {
      const response = await fetch(`${registryUrl}/v2/`)
      assert.equal(response.status, 401)
      const challenge = parseChallenge(response.headers.get('www-authenticate'))
      assert.deepEqual([challenge.scheme, challenge.params.realm, challenge.params.service], ['Bearer', realm, SERVICE])
      const { response: pinged } = await call('/v2/', { user: ['alice', 'alice-pw'] })
      assert.equal(pinged.status, 200, 'the registry accepts the token: iss, aud, kid and signature all check out')
    })

    test('push a blob and a schema2 manifest with push rights, then pull it back', async () => {
      const digest = await pushImage('alice/app', 'v1', ['alice', 'alice-pw'])
      const { response, challenge } = await call('/v2/alice/app/manifests/v1', {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        user: ['alice', 'alice-pw'],
      })
      assert.equal(challenge.params.scope, 'repository:alice/app:pull')
      assert.equal(response.status, 200, await response.clone().text())
      assert.equal(response.headers.get('docker-content-digest'), digest)
    })

    test('anonymous pull where the policy allows it', async () => {
      const digest = await pushImage('library/alpine', 'latest', ['admin', 'admin-pw'])
      const { response } = await call('/v2/library/alpine/manifests/latest', { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
      assert.equal(response.status, 200, await response.clone().text())
      assert.equal(response.headers.get('docker-content-digest'), digest)
    })

    test('the registry refuses without the right: another user, anonymous, anonymous push', async () => {
      await pushImage('alice/private', 'v1', ['alice', 'alice-pw'])
      const bob = await call('/v2/alice/private/manifests/v1', { user: ['bob', 'bob-pw'] })
      assert.equal(bob.response.status, 401, 'bob got a token with no actions on alice/private')
      assert.match(bob.response.headers.get('www-authenticate') ?? '', /insufficient_scope/)
      const anonymous = await call('/v2/alice/private/manifests/v1')
      assert.equal(anonymous.response.status, 401)
      const push = await call('/v2/library/alpine/blobs/uploads/', { method: 'POST' })
      assert.equal(push.response.status, 401, 'anonymous callers only pull library images')
      const bobPush = await call('/v2/alice/private/blobs/uploads/', { method: 'POST', user: ['bob', 'bob-pw'] })
      assert.equal(bobPush.response.status, 401)
    })

    test('a wrong password never reaches the registry: the token server answers 401 with a Basic challenge', async () => {
      const first = await fetch(`${registryUrl}/v2/alice/app/manifests/v1`)
      const challenge = parseChallenge(first.headers.get('www-authenticate'))
      const url = `${challenge.params.realm}?service=${SERVICE}&scope=${encodeURIComponent(challenge.params.scope!)}`
      const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` } })
      assert.equal(response.status, 401)
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/)
      assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAUTHORIZED')
    })

    test('GET /v2/_catalog with registry:catalog:*', async () => {
      const admin = await call('/v2/_catalog', { user: ['admin', 'admin-pw'] })
      assert.equal(admin.challenge.params.scope, 'registry:catalog:*')
      assert.equal(admin.response.status, 200)
      const { repositories } = (await admin.response.json()) as { repositories: string[] }
      assert.ok(repositories.includes('alice/app') && repositories.includes('library/alpine'), JSON.stringify(repositories))
      const alice = await call('/v2/_catalog', { user: ['alice', 'alice-pw'] })
      assert.equal(alice.response.status, 401, 'only admin gets the catalog')
    })

    test('docker login flow: offline_token gives a refresh token; the OAuth2 form trades it for a registry token', async () => {
      const login = new URL(realm)
      login.search = new URLSearchParams({ service: SERVICE, account: 'alice', client_id: 'docker', offline_token: 'true' }).toString()
      const loggedIn = await fetch(login, { headers: { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}` } })
      const { refresh_token } = (await loggedIn.json()) as { refresh_token: string }
      assert.ok(refresh_token)

      const first = await fetch(`${registryUrl}/v2/alice/app/manifests/v1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
      const challenge = parseChallenge(first.headers.get('www-authenticate'))
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token, service: SERVICE, client_id: 'docker', scope: challenge.params.scope! })
      const exchanged = await fetch(realm, { method: 'POST', body: form })
      assert.equal(exchanged.status, 200)
      const { access_token } = (await exchanged.json()) as { access_token: string }
      const pulled = await fetch(`${registryUrl}/v2/alice/app/manifests/v1`, { headers: { authorization: `Bearer ${access_token}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
      assert.equal(pulled.status, 200)
    })
  })
