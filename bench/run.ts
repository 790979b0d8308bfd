/**
 * npm run bench — autocannon on loopback against bench/server.ts (its own
 * process), every figure a ratio to baselines measured in the same run.
 * Writes BENCHMARKS.md (unless --no-write).
 *
 *   npm run bench                      throughput, p99 at 100 connections, growth, memory
 *   npm run bench -- --only crew       only scenarios whose key matches (no growth/memory)
 *   npm run bench -- --profile pm-create   CPU profile of the server while only that scenario runs
 *   npm run bench -- --soak            also the 10-minute steady load at ~80 % of capacity
 *   npm run bench -- --skip-growth --skip-memory --no-write
 *   npm run bench -- --report-only      BENCHMARKS.md again from bench/last-run.json (after editing bench/analysis.md)
 * Env: BENCH_SECONDS (2 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_GROWTH_SIZES (1000,1000000),
 *      BENCH_GROWTH_SECONDS (3), BENCH_MEMORY_TOKENS (1000000), BENCH_SOAK_SECONDS (600), BENCH_NODE_ARGS (server node flags).
 */
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { root } from './spawn.js'

// The peers are dev dependencies of bench/ only: install them on first use (root npm ci never needs them).
const benchDir = join(root, 'bench')
let installNote = 'already installed'
if (
  !existsSync(join(benchDir, 'node_modules', 'oidc-provider')) ||
  !existsSync(join(benchDir, 'node_modules', 'multer')) ||
  !existsSync(join(benchDir, 'node_modules', '@node-oauth', 'express-oauth-server'))
) {
  console.log('installing bench/ dev dependencies (peers, multer) …')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const installed = spawnSync(npm, ['--prefix', benchDir, existsSync(join(benchDir, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' })
  installNote = installed.status === 0 ? 'installed by this run' : `npm install in bench/ failed (exit ${installed.status})`
  if (installed.status !== 0) {
    console.error(`${installNote}: the naive multipart baseline needs multer; stopping.`)
    process.exit(1)
  }
}

const { main } = await import('./main.js')
await main(process.argv.slice(2), installNote)
