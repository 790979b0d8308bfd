/**
 * The examples server's GET /metrics, scraped by a real Prometheus (Debian's prometheus package, installed by
 * test/operations/ensure-prometheus.sh; the test reports itself skipped with the reason only if it cannot be installed),
 * with --workers 2: the series Prometheus stores are the sum of both workers'. Also `promtool check metrics` on the
 * exposition, and no secret or token in any label.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PRODMANAGER_SECRET, freePort, tempDir, type ServerProcess } from '../scale-out/harness.js'
import { startClusterMetricsServer } from '../helpers/cluster-metrics-server.js'

const MASTER_KEY = 'scale-out-test-master-key-0123456789abcdef'
const ensure = spawnSync('sh', [new URL('./ensure-prometheus.sh', import.meta.url).pathname], { encoding: 'utf8', timeout: 600_000 })
const prometheusBin = ensure.status === 0 ? ensure.stdout.trim() : undefined
const skipReason = prometheusBin
  ? undefined
  : `Prometheus (Debian package prometheus) is not available and could not be installed: ${(ensure.stderr || ensure.error?.message || `exit ${ensure.status}`).trim()}`

/** One request on a connection of its own, so the cluster's round robin spreads them over the workers. */
function fresh(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const jtiOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti

/** The value of one series in a text exposition (labels given in any order, all of them). */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3])
  }
  return undefined
}

describe('examples server metrics, --workers 2, scraped by Prometheus', { skip: skipReason, timeout: 300_000 }, () => {
  let server: ServerProcess
  let metricsUrl: string
  let prometheus: ChildProcess | undefined
  let prometheusLog = ''
  let prometheusUrl: string
  const dir = tempDir('prometheus')
  const tokens: string[] = []
  const CREATED = 6

  before(async () => {
    ;({ server, metricsUrl } = await startClusterMetricsServer(dir.path))
    for (let i = 0; i < CREATED; i++) {
      const body = new URLSearchParams({ secret: PRODMANAGER_SECRET, name: `metrics-${i}`, description: 'metrics test', permission: 'read_api' }).toString()
      const created = await fresh(`${server.url}/api/token/create`, { method: 'POST', headers: FORM, body })
      assert.equal(created.status, 200, created.body)
      tokens.push(created.body)
    }
    for (const token of tokens) assert.equal((await fresh(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` } })).status, 200)
    // Refused: a forged token (auth.failed) and a wrong secret; one token revoked by the admin route.
    assert.equal((await fresh(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${tokens[0]!.slice(0, -4)}AAAA` } })).status, 401)
    // A method the path does not serve: counted with its status and code like any answer.
    assert.equal((await fresh(`${server.url}/api/token/create`, { method: 'PUT', headers: FORM, body: '' })).status, 405)
    const revoked = await fresh(`${server.url}/api/token/revoke`, { method: 'POST', headers: FORM, body: new URLSearchParams({ secret: PRODMANAGER_SECRET, jti: jtiOf(tokens[1]!) }).toString() })
    assert.equal(revoked.status, 200, revoked.body)

    const webPort = await freePort()
    prometheusUrl = `http://127.0.0.1:${webPort}`
    const configFile = join(dir.path, 'prometheus.yml')
    writeFileSync(
      configFile,
      ['global:', '  scrape_interval: 1s', '  scrape_timeout: 900ms', 'scrape_configs:', '  - job_name: polytoken', '    static_configs:', `      - targets: ['${new URL(metricsUrl).host}']`, ''].join(
        '\n',
      ),
    )
    prometheus = spawn(prometheusBin!, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'tsdb')}`, `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    prometheus.stdout!.on('data', (chunk) => (prometheusLog += chunk))
    prometheus.stderr!.on('data', (chunk) => (prometheusLog += chunk))
  })

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve))
      prometheus.kill('SIGTERM')
      await exited
    }
    await server?.stop()
    dir.remove()
  })

  /** An instant query through Prometheus's HTTP API, retried until it returns `expected` (scrapes come every second). */
  async function queryUntil(query: string, expected: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    while (Date.now() < deadline) {
      try {
        const answer = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { status: string; data: { result: Array<{ value: [number, string] }> } }
        last = answer
        const value = answer.data?.result?.[0]?.value?.[1]
        if (value !== undefined && Number(value) === expected) return Number(value)
      } catch (error) {
        last = error
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    assert.fail(`${query}: expected ${expected}, last answer ${JSON.stringify(last)}\nprometheus: ${prometheusLog}`)
  }

  it('the primary answers the sum of both workers: every request, token and refusal counted once', async () => {
    const { status, body } = await fresh(metricsUrl)
    assert.equal(status, 200, `${body}\nserver: ${server.output()}`)
    assert.equal(sample(body, 'polytoken_tokens_issued_total', { dialect: 'prodmanager', token_type: 'access' }), CREATED)
    assert.equal(sample(body, 'polytoken_tokens_revoked_total', { dialect: 'prodmanager', token_type: 'access', reason: 'admin' }), 1)
    assert.equal(sample(body, 'polytoken_request_duration_seconds_count', { dialect: 'prodmanager', route: '/api/token/create', method: 'POST', status: '200', code: '' }), CREATED)
    assert.equal(sample(body, 'polytoken_request_duration_seconds_count', { dialect: 'prodmanager', route: '/api/token/whoami', method: 'GET', status: '200', code: '' }), CREATED)
    assert.equal(sample(body, 'polytoken_auth_failures_total', { dialect: 'prodmanager', route: '/api/token/whoami', code: 'ERR_TOKEN_INVALID' }), 1)
    assert.equal(
      sample(body, 'polytoken_request_duration_seconds_count', { dialect: 'prodmanager', route: '/api/token/create', method: 'PUT', status: '405', code: 'ERR_ROUTE_METHOD_NOT_ALLOWED' }),
      1,
    )
    assert.equal(sample(body, 'polytoken_store_up', { backend: 'sqlite' }), 1)
    assert.ok((sample(body, 'polytoken_store_operation_duration_seconds_count', { backend: 'sqlite', operation: 'set' }) ?? 0) >= CREATED)
    // Each worker counted only what it served: the whoamis were spread over both (fresh connections, round robin), so a sum of CREATED proves aggregation.
    assert.ok(sample(body, 'polytoken_verification_cache_misses_total', { dialect: 'prodmanager', scope: 'prodmanager:bearer' })! >= 1)
  })

  it('promtool check metrics passes on the exposition', async () => {
    const { body } = await fresh(metricsUrl)
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' })
    assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`)
  })

  it('no token, secret or key appears anywhere in the exposition', async () => {
    const { body } = await fresh(metricsUrl)
    for (const secret of [PRODMANAGER_SECRET, MASTER_KEY, ...tokens, ...tokens.map((token) => token.split('.')[2]!)]) assert.ok(!body.includes(secret), 'a secret or token in the metrics')
    // Labels hold route patterns only: no raw path, query or client-sent value.
    for (const [, labels] of body.matchAll(/\{([^}]*)\}/g)) assert.doesNotMatch(labels!, /secret|Bearer|eyJ/)
  })

  it('Prometheus scrapes it: the series read back through /api/v1/query', async () => {
    await queryUntil('sum(polytoken_tokens_issued_total{dialect="prodmanager"})', CREATED)
    await queryUntil('sum(polytoken_request_duration_seconds_count{dialect="prodmanager",route="/api/token/whoami",status="200"})', CREATED)
    await queryUntil('sum(polytoken_tokens_revoked_total{dialect="prodmanager",reason="admin"})', 1)
    await queryUntil('sum(polytoken_auth_failures_total{dialect="prodmanager",code="ERR_TOKEN_INVALID"})', 1)
    await queryUntil('up{job="polytoken"}', 1)
  })
})
