import { spawnSync } from 'node:child_process'
import { startClusterTopology } from './redis-topology.js'
const s = await startClusterTopology()
try {
  const { NODE_TEST_CONTEXT: _x, ...env } = process.env
  const t0 = Date.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...env, POLYTOKEN_TEST_REDIS_URL: s.url },
    timeout: 400_000,
  })
  console.log('exit', r.status, r.signal, Date.now() - t0)
} finally {
  await s.stop()
}
