import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as core from '@polytoken/core'
import { buildReadme } from '../../scripts/build-readme.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

test('README.md is up to date with its parts (run `npm run readme`)', () => {
  assert.equal(readme, buildReadme())
})

test('the front door: the two quick-start commands and every error code', () => {
  assert.match(readme, /npm install && npm start/)
  assert.match(readme, /npm test/)
  for (const { code } of core.errorCatalogue) assert.ok(readme.includes(`\`${code}\``), code)
})

test('every error class of the catalogue is in the table, with the same status', () => {
  type ErrorClass = (new (message: string) => core.PolytokenError) & { name: string }
  const classes = (Object.values(core) as unknown[]).filter(
    (value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof core.PolytokenError,
  )
  assert.ok(classes.length >= 20)
  for (const ErrorClass of classes) {
    const error = new ErrorClass('x')
    const row = core.errorCatalogue.find((entry) => entry.code === error.code)
    assert.ok(row, `${ErrorClass.name} (${error.code}) is missing from errorCatalogue`)
    assert.equal(row.status, error.status, error.code)
    assert.equal(error.name, ErrorClass.name)
  }
})
