/**
 * Issue 18: rotation without restarts. Two examples-server processes on one Redis (a key prefix of this test's own)
 * re-read their key rings every second; traffic flows against both the whole time (prodmanager create on one,
 * whoami on the other; crew tokens from one verified with the other's JWKS) while the real `polytoken` CLI, as a
 * child process, rotates prodmanager's HS256 ring and crew's ES256 ring: generate → wait → promote → wait →
 * retire. No request fails; every JWKS fetched during the overlap holds both crew keys; once retired (plus the
 * refresh bound), the old keys verify nothing on either instance.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { ROOT, prodmanagerConfig, createToken, whoami, sleep, tempDir } from '../scale-out/harness.js'
import { spawnExamplesServer, untilReady, type ExamplesServer } from '../helpers/examples-server-process.js'
import { clearNamespaces } from '../helpers/clear-store.js'

const REFRESH_MS = 1000
const PREFIX = `keys-rotation-${randomBytes(4).toString('hex')}`
const STORE = `redis://127.0.0.1:6379?prefix=${PREFIX}&timeoutMs=10000`
const MASTER_KEY = 'examples-server-test-master-key-0123456789'
const config = prodmanagerConfig({
  crew: {
    prefix: '',
    issuer: 'rotation-crew',
    service: 'registry.test',
    algorithm: 'ES256',
    tokenLifetimeSec: 300,
    users: {},
    policy: [{ type: 'repository', name: 'library/**', actions: ['pull'] }],
  },
})

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** `polytoken keys ...` as an operator runs it: its own process, the servers' configuration and store. */
function polytoken(configFile: string, dataDir: string, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [join(ROOT, 'examples/server/bin/polytoken.mjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POLYTOKEN_CONFIG: configFile, POLYTOKEN_DATA_DIR: dataDir, POLYTOKEN_STORE: STORE, POLYTOKEN_MASTER_KEY: MASTER_KEY, POLYTOKEN_KEY_REFRESH_MS: String(REFRESH_MS) },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

async function cliJson<T>(configFile: string, dataDir: string, ...args: string[]): Promise<T> {
  // --json before the arguments: a kid (a base64url thumbprint) may start with '-', so it goes after `--`.
  const [command, sub, ...rest] = args
  const result = await polytoken(configFile, dataDir, command!, sub!, '--json', ...rest)
  assert.equal(result.code, 0, `polytoken ${args.join(' ')}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

interface KeyRow {
  dialect: string
  ring: string
  kid: string
  state: string
}

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }

async function prodToken(server: ExamplesServer, name: string): Promise<string> {
  const res = await createToken(server, name)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`prodmanager create: ${res.status} ${text}`)
  return text
}

async function crewToken(server: ExamplesServer): Promise<string> {
  const res = await fetch(`${server.url}/v1/token?service=registry.test&scope=repository:library/alpine:pull`)
  const body = (await res.json()) as { token?: string }
  if (res.status !== 200 || !body.token) throw new Error(`crew token: ${res.status} ${JSON.stringify(body)}`)
  return body.token
}

async function jwks(server: ExamplesServer): Promise<JSONWebKeySet> {
  const res = await fetch(`${server.url}/.well-known/jwks.json`)
  if (res.status !== 200) throw new Error(`jwks: ${res.status}`)
  return (await res.json()) as JSONWebKeySet
}

describe('polytoken keys: rotation across two running servers on one Redis', () => {
  const servers: ExamplesServer[] = []
  const dir = tempDir('keys-rotation')
  after(async () => {
    for (const server of servers) await server.cleanup()
    dir.remove()
    await clearNamespaces(STORE.split('?')[0]!, PREFIX, ['prodmanager', 'crew', 'polytoken', 'token-generator', 'zazz', 'sagrada'])
  })

  it('generate → promote → retire while traffic flows: no failed request, both keys in every JWKS of the overlap, old keys refused after retirement', async () => {
    const configFile = join(dir.path, 'config.json')
    writeFileSync(configFile, JSON.stringify(config))
    for (let i = 0; i < 2; i++) servers.push(await spawnExamplesServer({ store: STORE, config, env: { POLYTOKEN_KEY_REFRESH_MS: String(REFRESH_MS), POLYTOKEN_METRICS_PORT: 'off' } }))
    await Promise.all(servers.map((server) => untilReady(server)))
    const [a, b] = servers as [ExamplesServer, ExamplesServer]

    const before = await cliJson<KeyRow[]>(configFile, dir.path, 'keys', 'list')
    const oldCrew = before.find((row) => row.dialect === 'crew' && row.state === 'active')!.kid
    const oldProd = before.find((row) => row.dialect === 'prodmanager' && row.state === 'active')!.kid
    assert.ok(oldCrew && oldProd, JSON.stringify(before))
    // Tokens of the old keys, kept to check they are refused once their keys are retired.
    const oldProdToken = await prodToken(a, 'kept-old')
    const oldCrewToken = await crewToken(a)

    // Traffic: until stopped, each round creates on one server and checks on the other, both ways.
    const failures: string[] = []
    const jwksSeen: Array<{ at: number; kids: string[]; privateParts: boolean }> = []
    let rounds = 0
    let stop = false
    const traffic = (async () => {
      while (!stop) {
        for (const [from, to] of [
          [a, b],
          [b, a],
        ] as const) {
          try {
            const token = await prodToken(from, 'traffic-token')
            const checked = await whoami(to, token)
            if (checked.status !== 200) throw new Error(`whoami of ${header(token).kid} on the other server: ${checked.status} ${await checked.text()}`)
            const crew = await crewToken(from)
            const at = Date.now()
            const set = await jwks(to)
            jwksSeen.push({ at, kids: set.keys.map((key) => key.kid!), privateParts: set.keys.some((key) => 'd' in key || 'k' in key) })
            await jwtVerify(crew, createLocalJWKSet(set), { algorithms: ['ES256'] })
          } catch (error) {
            failures.push(`${new Date().toISOString()} ${(error as Error).message}`)
          }
        }
        rounds++
      }
    })()

    try {
      const generatedCrew = await cliJson<KeyRow>(configFile, dir.path, 'keys', 'generate', 'crew')
      const generatedProd = await cliJson<KeyRow>(configFile, dir.path, 'keys', 'generate', 'prodmanager')
      // From here on every instance has re-read the rings: both crew keys in every JWKS, until the retirement.
      const overlapFrom = Date.now() + REFRESH_MS + 500
      await sleep(REFRESH_MS * 2)
      assert.equal((await cliJson<KeyRow>(configFile, dir.path, 'keys', 'promote', 'crew', '--', generatedCrew.kid)).state, 'active')
      assert.equal((await cliJson<KeyRow>(configFile, dir.path, 'keys', 'promote', 'prodmanager', '--', generatedProd.kid)).state, 'active')
      // The traffic's tokens live a moment; the longest lifetime to wait out here is the refresh interval.
      await sleep(REFRESH_MS * 2)
      const newTokens = [await prodToken(a, 'new-key-token'), await crewToken(b)]
      assert.deepEqual(
        newTokens.map((token) => header(token).kid),
        [generatedProd.kid, generatedCrew.kid],
        'both servers sign with the promoted keys',
      )

      const overlapUntil = Date.now()
      const retiredCrew = await polytoken(configFile, dir.path, 'keys', 'retire', 'crew', '--', oldCrew)
      assert.equal(retiredCrew.code, 0, retiredCrew.stderr)
      const retiredProd = await polytoken(configFile, dir.path, 'keys', 'retire', 'prodmanager', '--', oldProd)
      assert.equal(retiredProd.code, 0, retiredProd.stderr)
      await sleep(REFRESH_MS + 1000)

      stop = true
      await traffic
      assert.deepEqual(failures, [], `${failures.length} failed requests in ${rounds} rounds`)
      assert.ok(rounds >= 5, `traffic flowed (${rounds} rounds)`)
      const overlap = jwksSeen.filter((seen) => seen.at >= overlapFrom && seen.at < overlapUntil)
      assert.ok(overlap.length >= 3, `JWKS fetched during the overlap: ${overlap.length}`)
      for (const seen of overlap) assert.ok(seen.kids.includes(oldCrew) && seen.kids.includes(generatedCrew.kid), `both keys in every JWKS of the overlap: ${seen.kids.join(', ')}`)
      assert.ok(!jwksSeen.some((seen) => seen.privateParts), 'no JWKS ever held a private part')

      for (const server of [a, b]) {
        const refused = await whoami(server, oldProdToken)
        assert.equal(refused.status, 401, 'a token of the retired prodmanager key is refused on both servers')
        const set = await jwks(server)
        assert.deepEqual(
          set.keys.map((key) => key.kid),
          [generatedCrew.kid],
          "the retired crew key left every server's JWKS",
        )
        await assert.rejects(jwtVerify(oldCrewToken, createLocalJWKSet(set)), 'a crew token of the retired key verifies with no JWKS')
        assert.equal((await whoami(server, newTokens[0]!)).status, 200)
      }
      const after = await cliJson<KeyRow[]>(configFile, dir.path, 'keys', 'list')
      assert.deepEqual(
        after
          .filter((row) => row.dialect === 'crew' || row.dialect === 'prodmanager')
          .map((row) => [row.dialect, row.kid, row.state])
          .sort(),
        [
          ['crew', generatedCrew.kid, 'active'],
          ['prodmanager', generatedProd.kid, 'active'],
        ],
      )
      for (const server of [a, b]) assert.match(server.output(), /key ring crew\/signing changed/)
    } finally {
      stop = true
      await traffic
    }
  })
})
