#!/usr/bin/env node
// Runs every *.test.ts under packages/ and test/ with node:test through tsx.
// Node 20's --test takes no glob patterns, so the file list is built here.
// The tests (and every process they start) run on the packages' TypeScript sources: the
// `polytoken-source` export condition. test/packaging/ checks the built dist/ on plain Node.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['packages', 'test', 'examples']

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, path))
  }
  return out
}

const files = roots.flatMap((dir) => collect(join(root, dir), [])).sort()
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=polytoken-source`.trim() },
})
process.exit(result.status ?? 1)
