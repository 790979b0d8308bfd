/**
 * clusterMetricsHandler and shareWithClusterPrimary with real node:cluster workers. This file is also the workers'
 * script: forked by the tests below, it shares a registry (or, by its WORKER_MODE, stays silent or exits when asked).
 */
import cluster, { type Worker } from 'node:cluster'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Counter, Registry } from 'prom-client'
import { clusterMetricsHandler, shareWithClusterPrimary } from './cluster.js'

if (cluster.isWorker) runWorker()
else
  describe('cluster metrics: the primary answers the sum of its workers', () => {
    let server: Server
    let url: string
    let handler = clusterMetricsHandler()
    const workers: Worker[] = []

    before(async () => {
      cluster.setupPrimary({ exec: new URL(import.meta.url).pathname, silent: true })
      server = createServer((req, res) => handler(req, res))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
    })

    after(async () => {
      await Promise.all(workers.map(stopWorker))
      server.close()
    })

    /** A worker running runWorker() below, resolved once it has shared its registry (or chosen not to). */
    async function startWorker(mode: 'answer' | 'silent' | 'exit-when-asked', count: number): Promise<Worker> {
      const worker = cluster.fork({ WORKER_MODE: mode, WORKER_COUNT: String(count) })
      workers.push(worker)
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (message) => message === 'shared' && resolve())
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
      })
      return worker
    }

    function stopWorker(worker: Worker): Promise<void> {
      if (worker.isDead()) return Promise.resolve()
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.kill()
      return exited
    }

    const counted = (text: string) => Number(/^test_requests_total (\S+)$/m.exec(text)?.[1])

    it('adds up every worker’s series', async () => {
      const started = await Promise.all([startWorker('answer', 2), startWorker('answer', 5)])
      const answer = await fetch(url)
      assert.equal(answer.status, 200)
      assert.equal(counted(await answer.text()), 7)
      await Promise.all(started.map(stopWorker))
    })

    it('a primary stalled past the timeout still counts the answers that arrived meanwhile', async () => {
      // A paused process or a busy event loop: when it resumes, the timer is due and the answers are unread (timers run
      // before I/O). prom-client's own aggregator fails this scrape with "Operation timed out".
      handler = clusterMetricsHandler({ timeoutMs: 200 })
      const started = await Promise.all([startWorker('answer', 1), startWorker('answer', 3)])
      const stalled = new Promise<string>((resolve) => {
        handler(
          { method: 'GET', headers: {} } as never,
          {
            writeHead: (status: number) => ({ end: (body: string) => resolve(`${status} ${body}`) }),
          } as never,
        )
      })
      const until = Date.now() + 1000
      while (Date.now() < until); // the workers answer within milliseconds; the primary reads them only after this
      const [status, ...body] = (await stalled).split(' ')
      assert.equal(status, '200', body.join(' '))
      assert.equal(counted(body.join(' ')), 4)
      await Promise.all(started.map(stopWorker))
    })

    it('a worker that does not answer fails the scrape with 503 naming it, within the scraper’s own timeout', async () => {
      handler = clusterMetricsHandler() // 10 s by default: the header below must shorten it
      const [answering, silent] = [await startWorker('answer', 1), await startWorker('silent', 1)]
      const began = Date.now()
      const answer = await fetch(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '0.5' } })
      assert.equal(answer.status, 503)
      assert.match(await answer.text(), new RegExp(`no answer within 250 ms from worker ${silent.process.pid}\\b`))
      assert.ok(Date.now() - began < 5000, 'the scrape waited past the timeout Prometheus sent')
      await Promise.all([answering, silent].map(stopWorker))
    })

    it('a scraper’s timeout longer than the configured one does not lengthen the wait', { timeout: 20_000 }, async () => {
      handler = clusterMetricsHandler({ timeoutMs: 300 })
      const [answering, silent] = [await startWorker('answer', 1), await startWorker('silent', 1)]
      const answer = await fetch(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '3600' } })
      assert.equal(answer.status, 503)
      assert.match(await answer.text(), /no answer within 300 ms/)
      await Promise.all([answering, silent].map(stopWorker))
    })

    it('a worker that exits while asked fails the scrape at once, not at the timeout', async () => {
      handler = clusterMetricsHandler({ timeoutMs: 30_000 })
      const started = [await startWorker('answer', 1), await startWorker('exit-when-asked', 1)]
      const began = Date.now()
      const answer = await fetch(url)
      assert.equal(answer.status, 503)
      assert.match(await answer.text(), /exited while its metrics were asked for/)
      assert.ok(Date.now() - began < 10_000)
      await Promise.all(started.map(stopWorker))
    })

    it('with no worker up, an empty exposition', async () => {
      handler = clusterMetricsHandler()
      const answer = await fetch(url)
      assert.equal(answer.status, 200)
      assert.equal(await answer.text(), '')
    })

    it('refuses to share from a process that is not a worker', () => {
      assert.throws(() => shareWithClusterPrimary(new Registry()), /in a node:cluster worker/)
    })
  })

function runWorker(): void {
  const mode = process.env.WORKER_MODE
  const registry = new Registry()
  new Counter({ name: 'test_requests_total', help: 'Requests.', registers: [registry] }).inc(Number(process.env.WORKER_COUNT))
  if (mode === 'answer') shareWithClusterPrimary(registry)
  if (mode === 'exit-when-asked') process.on('message', () => process.exit(0))
  process.send!('shared')
}
