/**
 * The examples server's metrics port with --workers 2: the primary asks both workers for their series on every scrape
 * and waits at most its own timeout. A client that reaches the port forges X-Prometheus-Scrape-Timeout-Seconds (huge,
 * negative, not a number, repeated) and floods scrapes: every answer is the right sum, promptly, and no request is left
 * hanging in the primary.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { PRODMANAGER_SECRET, tempDir, type ServerProcess } from '../scale-out/harness.js'
import { startClusterMetricsServer } from '../helpers/cluster-metrics-server.js'

/** GET /metrics on a connection of its own (an array value sends the header once per element). */
function scrape(url: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: Date.now() - started }))
    })
    req.on('error', reject)
    req.end()
  })
}

const issued = (exposition: string) => Number(/^polytoken_tokens_issued_total\{dialect="prodmanager",token_type="access"\} (\S+)$/m.exec(exposition)?.[1])

describe('forged scrape timeouts and a scrape flood on the cluster metrics port', { timeout: 180_000 }, () => {
  let server: ServerProcess
  let metricsUrl: string
  const dir = tempDir('metrics-attack')
  const CREATED = 4

  before(async () => {
    ;({ server, metricsUrl } = await startClusterMetricsServer(dir.path))
    for (let i = 0; i < CREATED; i++) {
      const body = new URLSearchParams({ secret: PRODMANAGER_SECRET, name: `metrics-attack-${i}`, description: 'metrics attack test', permission: 'read_api' })
      const created = await fetch(`${server.url}/api/token/create`, { method: 'POST', body, headers: { connection: 'close' } })
      assert.equal(created.status, 200, await created.text())
    }
  })

  after(async () => {
    await server?.stop()
    dir.remove()
  })

  for (const [name, value] of [
    ['an hour', '3600'],
    ['1e400 (Infinity)', '1e400'],
    ['negative', '-5'],
    ['zero', '0'],
    ['not a number', 'soon'],
    ['repeated, short then huge', ['0.001', '99999']],
  ] as Array<[string, string | string[]]>) {
    it(`a forged timeout (${name}) still gets the full sum, answered at once`, async () => {
      const answer = await scrape(metricsUrl, { 'X-Prometheus-Scrape-Timeout-Seconds': value })
      assert.equal(answer.status, 200, answer.body)
      assert.equal(issued(answer.body), CREATED)
      assert.ok(answer.ms < 10_000, `took ${answer.ms} ms`)
    })
  }

  it('200 scrapes at once: each one the full sum, and the token port still answers', async () => {
    const flood = Array.from({ length: 200 }, () => scrape(metricsUrl, { 'X-Prometheus-Scrape-Timeout-Seconds': '3600' }))
    const health = await fetch(`${server.url}/healthz`)
    assert.equal(health.status, 200)
    const answers = await Promise.all(flood)
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.body)
      assert.equal(issued(answer.body), CREATED)
    }
  })
})
