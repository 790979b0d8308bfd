/**
 * SIGTERM with requests in flight: the examples server turns not-ready, refuses new connections once its listener
 * closes, lets every request in flight finish with its normal answer, closes the store and exits 0; with
 * --workers, every worker drains. The requests are slow the way real ones are: clients that upload their
 * body slowly (half of it, then the rest after the signal).
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect } from 'node:net'
import { PRODMANAGER_SECRET, prodmanagerConfig, sleep, waitForOutput } from '../scale-out/harness.js'
import { spawnExamplesServer, untilReady, type ExamplesServer } from '../helpers/examples-server-process.js'

interface SlowUpload {
  /** Resolves once the headers and the first half of the body are on the wire. */
  sent: Promise<void>
  finish(): void
  answer: Promise<{ status: number; body: string }>
}

/** POST /api/token/create on a connection of its own, its body sent in two halves. */
function slowCreate(url: string, name: string): SlowUpload {
  const body = new URLSearchParams({ secret: PRODMANAGER_SECRET, name, description: 'in flight during a drain', permission: 'scope_api' }).toString()
  const half = Math.floor(body.length / 2)
  const { hostname, port } = new URL(url)
  const req = request({
    host: hostname,
    port,
    method: 'POST',
    path: '/api/token/create',
    agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
  })
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body: text }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
  const sent = new Promise<void>((resolve) => req.write(body.slice(0, half), () => resolve()))
  return { sent, answer, finish: () => void req.end(body.slice(half)) }
}

/** Whether a new TCP connection is refused now. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) })
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/

describe('examples server: SIGTERM drains', () => {
  const servers: ExamplesServer[] = []
  after(async () => {
    for (const server of servers) await server.cleanup()
  })

  /**
   * One process on memory:// (50 writes at once on a loaded machine could outlast SQLite's 1 s store timeout, which
   * is not what this tests); workers on a SQLite file of their own, in the server's data directory.
   */
  async function start(env: Record<string, string>, args: string[] = []): Promise<ExamplesServer> {
    const store = args.includes('--workers') ? 'sqlite://${dataDir}/drain.db' : 'memory://'
    const server = await spawnExamplesServer({ store, config: prodmanagerConfig(), env, args })
    servers.push(server)
    await untilReady(server)
    return server
  }

  it('50 requests in flight: /readyz says draining, new connections are refused after the delay, all 50 answer 200 with a token, exit 0', async () => {
    const delayMs = 3000
    const server = await start({ POLYTOKEN_SHUTDOWN_DELAY_MS: String(delayMs), POLYTOKEN_SHUTDOWN_GRACE_MS: '30000' })
    await fetch(`${server.url}/readyz`).then((res) => assert.equal(res.status, 200))

    const uploads = Array.from({ length: 50 }, (_, i) => slowCreate(server.url, `drain-request-${i}`))
    await Promise.all(uploads.map((upload) => upload.sent))
    let answered = 0
    for (const upload of uploads)
      void upload.answer.then(
        () => answered++,
        () => {},
      )
    await sleep(500) // the server has read every request's headers

    const exit = server.exit
    const signalledAt = Date.now()
    server.process.kill('SIGTERM')

    // Not-ready first, while still accepting: what a load balancer needs to see before the listener goes.
    let readyz: { status: number; body: unknown } | undefined
    while (Date.now() - signalledAt < delayMs) {
      const res = await fetch(`${server.url}/readyz`)
      readyz = { status: res.status, body: await res.json() }
      if (res.status === 503) break
      await sleep(50)
    }
    assert.deepEqual(readyz, { status: 503, body: { status: 'not-ready', reason: 'draining', store: 'memory' } })

    // Then the listener closes: a new connection is refused while the 50 are still uploading.
    while (!(await refused(server.url))) {
      assert.ok(Date.now() - signalledAt < delayMs + 10_000, 'the listener did not close')
      await sleep(100)
    }
    assert.ok(Date.now() - signalledAt >= delayMs - 100, 'the listener stayed open for the delay')
    assert.equal(answered, 0, 'no in-flight request was answered before its body arrived')
    assert.equal(server.process.exitCode, null, 'still running while requests are in flight')

    for (const upload of uploads) upload.finish()
    const answers = await Promise.all(uploads.map((upload) => upload.answer))
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, 200, `request ${i}: ${answer.status} ${answer.body}`)
      assert.match(answer.body, JWT, `request ${i}`)
      assert.equal(JSON.parse(Buffer.from(answer.body.split('.')[1]!, 'base64url').toString()).aud, `drain-request-${i}`)
    }
    assert.equal(await exit, 0, server.output())
    assert.match(server.output(), /SIGTERM: drained; exiting/)
    assert.doesNotMatch(server.output(), /grace period .* spent/)
  })

  it('a request still running when the grace period is spent is cut off, and the process exits on time', async () => {
    const server = await start({ POLYTOKEN_SHUTDOWN_GRACE_MS: '2000' })
    const stuck = slowCreate(server.url, 'never-finishes')
    await stuck.sent
    await sleep(300)
    const exit = server.exit
    const signalledAt = Date.now()
    server.process.kill('SIGTERM')
    await assert.rejects(stuck.answer, /socket hang up|ECONNRESET/)
    assert.equal(await exit, 0, server.output())
    const tookMs = Date.now() - signalledAt
    assert.ok(tookMs >= 1900, `exited after ${tookMs} ms: it did not wait for the request`)
    assert.ok(tookMs < 2000 + 4000, `exited after ${tookMs} ms`)
    assert.match(server.output(), /grace period \(2000 ms\) spent: closing the connections still open/)
  })

  it('--workers 2: the primary forwards SIGTERM and each worker drains its requests', async () => {
    const server = await start({ POLYTOKEN_SHUTDOWN_GRACE_MS: '30000' }, ['--workers', '2'])
    await waitForOutput(server, 'all 2 workers listening and ready', 90_000)
    const uploads = Array.from({ length: 20 }, (_, i) => slowCreate(server.url, `workers-drain-${i}`))
    await Promise.all(uploads.map((upload) => upload.sent))
    await sleep(500)
    const exit = server.exit
    server.process.kill('SIGTERM')
    await sleep(1000)
    assert.equal(server.process.exitCode, null, 'the primary waits for its workers')
    for (const upload of uploads) upload.finish()
    const answers = await Promise.all(uploads.map((upload) => upload.answer))
    for (const answer of answers) assert.equal(answer.status, 200, answer.body)
    assert.equal(await exit, 0, server.output())
    assert.equal(server.output().match(/SIGTERM: drained; exiting/g)?.length, 2, server.output())
  })
})
