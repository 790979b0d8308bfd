import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WEB_BASIC, startApp, testOptions } from './fixture.js'
import { login } from './helpers.js'

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

test('unknown user and wrong password take the same time (one scrypt of the same cost either way)', async () => {
  // A real cost (N=2^14: ~30 ms here), so a missing hash would show as a 30 ms gap, far above the noise.
  const server = await startApp(testOptions({ passwordHash: { N: 2 ** 14, r: 8, p: 1 }, bruteForce: { maxPerUsernameAddress: 1000, maxPerAddress: 1000 } }))
  try {
    const timings = { unknown: [] as number[], wrong: [] as number[] }
    await login(server.app, WEB_BASIC, { username: 'warm-up', password: 'x' })
    for (let i = 0; i < 9; i++) {
      for (const kind of ['unknown', 'wrong'] as const) {
        const started = process.hrtime.bigint()
        const response = await login(server.app, WEB_BASIC, kind === 'unknown' ? { username: `nobody-${i}`, password: 'x' } : { password: `wrong-${i}` })
        timings[kind].push(Number(process.hrtime.bigint() - started) / 1e6)
        assert.equal(response.status, 400)
      }
    }
    const unknown = median(timings.unknown)
    const wrong = median(timings.wrong)
    assert.ok(wrong > 15, `a wrong password costs a real hash (${wrong.toFixed(1)} ms)`)
    assert.ok(unknown / wrong > 0.75 && unknown / wrong < 1.33, `medians: unknown ${unknown.toFixed(1)} ms, wrong password ${wrong.toFixed(1)} ms`)
  } finally {
    await server.close()
  }
})
