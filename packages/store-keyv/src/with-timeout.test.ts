import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { Worker } from 'node:worker_threads'
import { withTimeout } from './with-timeout.js'
import { StoreUnavailable } from '@polytoken/core'

const busy = (ms: number) => {
  const end = Date.now() + ms
  while (Date.now() < end);
}

/** An echo server on its own thread: it answers while this thread is busy. */
async function echoServer(): Promise<{ port: number; stop(): Promise<number> }> {
  const source = `
    const { createServer } = require('node:net')
    const { parentPort } = require('node:worker_threads')
    const server = createServer((c) => c.on('data', (d) => c.write(d))).listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))`
  const worker = new Worker(source, { eval: true })
  const [port] = (await once(worker, 'message')) as [number]
  return { port, stop: () => worker.terminate() }
}

test('a slow operation fails with StoreUnavailable naming the operation', async (t) => {
  // The store timer does not hold the process open (unref); the test's pending operation stands in for a socket.
  const alive = setInterval(() => undefined, 1000)
  t.after(() => clearInterval(alive))
  await assert.rejects(
    withTimeout('get', 20, () => new Promise(() => undefined)),
    (error: unknown) => {
      assert.ok(error instanceof StoreUnavailable)
      assert.match(error.message, /did not answer get within 20 ms/)
      return true
    },
  )
})

test('a failing operation is a StoreUnavailable with the cause kept', async () => {
  const cause = new Error('connection reset')
  await assert.rejects(
    withTimeout('set', 1000, () => Promise.reject(cause)),
    (error: unknown) => error instanceof StoreUnavailable && error.cause === cause,
  )
})

test('a reply that arrived while the event loop was busy past the timeout is not reported as a timeout', async () => {
  const server = await echoServer()
  const socket = connect(server.port, '127.0.0.1')
  await once(socket, 'connect')
  try {
    const reply = await withTimeout('get', 20, () => {
      const answered = once(socket, 'data').then(([data]) => String(data))
      socket.write('pong')
      // The next turn of the loop starts with the expired timer, before the poll that reads the reply.
      setImmediate(() => busy(150))
      return answered
    })
    assert.equal(reply, 'pong')
  } finally {
    socket.destroy()
    await server.stop()
  }
})
