import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildDocs, errorTable, renderRegions, staleFiles } from '../../scripts/build-docs.js'

test('every generated file is up to date (run `npm run docs`)', () => {
  const outputs = buildDocs()
  assert.ok(outputs.has('docs/errors.md') && outputs.has('README.md') && outputs.has('packages/core/LICENSE'))
  assert.deepEqual(staleFiles(outputs), [])
})

test('the error table sits in docs/errors.md as generated from the catalogue', () => {
  assert.ok(buildDocs().get('docs/errors.md')!.includes(`<!-- error-table -->\n\n${errorTable()}\n\n<!-- /error-table -->`))
})

test('a region is filled after a bare marker, replaced when it exists, and left alone without a generator', () => {
  const generators = { greeting: () => '| hello |', options: (name: string | undefined) => `options of ${name}` }
  assert.equal(renderRegions('# t\n<!-- greeting -->\nafter', generators), '# t\n<!-- greeting -->\n\n| hello |\n\n<!-- /greeting -->\nafter')
  const stale = '<!-- greeting -->\n\n| old |\n| rows |\n\n<!-- /greeting -->\nafter'
  const fresh = renderRegions(stale, generators)
  assert.equal(fresh, '<!-- greeting -->\n\n| hello |\n\n<!-- /greeting -->\nafter')
  assert.equal(renderRegions(fresh, generators), fresh, 'idempotent')
  assert.equal(renderRegions('<!-- options:crew -->', generators), '<!-- options:crew -->\n\noptions of crew\n\n<!-- /options:crew -->')
  const untouched = '<!-- options:crew -->\n<!-- unknown -->\n```\n<!-- greeting -->\n```\n'
  assert.equal(renderRegions(untouched, {}), untouched, 'no generator: the marker stays for a later one')
  assert.equal(renderRegions(untouched, generators).includes('| hello |'), false, 'a marker inside a code block is text')
})

test('staleness is seen: a changed region or a missing LICENSE copy', () => {
  const base = mkdtempSync(join(tmpdir(), 'polytoken-docs-'))
  try {
    mkdirSync(join(base, 'packages/one'), { recursive: true })
    writeFileSync(join(base, 'packages/one/package.json'), '{}')
    writeFileSync(join(base, 'LICENSE'), 'MIT\n')
    writeFileSync(join(base, 'README.md'), '<!-- greeting -->\n\n| stale |\n\n<!-- /greeting -->\n')
    const outputs = buildDocs({ greeting: () => '| hello |' }, base)
    assert.deepEqual(staleFiles(outputs, base).sort(), ['README.md', 'packages/one/LICENSE'])
    for (const [path, content] of outputs) writeFileSync(join(base, path), content)
    assert.deepEqual(staleFiles(buildDocs({ greeting: () => '| hello |' }, base), base), [])
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
})
