/**
 * A 405 is counted under the method the client sent, so the method label is client input. Every method, known or
 * invented, on every zazz path over a raw socket: the series stay bounded by Node's own list of methods (its HTTP
 * parser answers anything else with 400 before polytoken sees it), and no label holds anything else.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { METHODS, createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { polytokenMetrics } from '@polytoken/metrics'
import { startApp } from '../zazz/fixture.js'

/** One raw request; resolves with the status line's code (0 when the server closed without one). */
function raw(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)))
    socket.on('error', reject)
  })
}

test('405s on every path with every method: method labels only from Node’s list, one series per method and path at most', async () => {
  const server = await startApp()
  const metrics = polytokenMetrics(server.router)
  const http = createServer(server.app)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  try {
    const paths = [...new Set(server.router.runtime.routes.map((route) => route.fullPath))]
    const invented = ['FOO', 'GETS', 'get', 'P0ST', 'X'.repeat(200), 'BREW', 'DELETE\u0000', '%47ET']
    let refusedByParser = 0
    for (const path of paths) {
      for (const method of [...METHODS, ...invented]) {
        const status = await raw(port, method, path)
        if (invented.includes(method)) {
          assert.ok(status === 400 || status === 0 || status === 405, `${method} ${path}: ${status}`)
          if (status !== 405) refusedByParser++
        }
      }
    }
    assert.ok(refusedByParser > 0, 'the parser refused none of the invented methods')
    const exposition = await metrics.registry.metrics()
    const series = [...exposition.matchAll(/^polytoken_request_duration_seconds_count\{(.*)\} \d+$/gm)].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])))
    assert.ok(series.length > 0, 'no request was counted')
    for (const labels of series) {
      assert.ok(METHODS.includes(labels.method), `method label ${labels.method}`)
      assert.ok(paths.includes(labels.route), `route label ${labels.route}`)
      if (labels.status === '405') assert.equal(labels.code, 'ERR_ROUTE_METHOD_NOT_ALLOWED')
    }
    assert.ok(series.length <= paths.length * METHODS.length, `${series.length} series`)
    for (const method of invented) assert.ok(!exposition.includes(`method="${method}"`), `an invented method became a label: ${method}`)
  } finally {
    http.close()
    await server.close()
  }
})
