import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import * as core from '@polytoken/core'
import * as plugins from '@polytoken/plugins'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const readme = read('README.md')
const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
// The dialect factories @polytoken/plugins exports (prodmanager, tokenGenerator, ...), by their dialect names.
const dialects = ['prodmanager', 'crew', 'tokenGenerator', 'sagrada', 'zazz'].map(kebab)

test('the front door is one screen: what polytoken is, the two commands, the docs', () => {
  assert.ok(readme.split('\n').length <= 60, `README.md has ${readme.split('\n').length} lines; move the detail into docs/`)
  assert.match(readme, /npm install && npm start/)
  assert.match(readme, /npm test/)
  assert.match(readme, /polytoken\(\{/)
  for (const page of ['docs/README.md', 'docs/getting-started.md', 'docs/configuration.md', 'docs/errors.md', 'docs/security.md']) {
    assert.ok(readme.includes(`](${page})`), page)
  }
})

test('every dialect of @polytoken/plugins has its page, linked from the README and the index, with its options marker', () => {
  for (const factory of ['prodmanager', 'crew', 'tokenGenerator', 'sagrada', 'zazz']) {
    assert.equal(typeof (plugins as Record<string, unknown>)[factory], 'function', factory)
  }
  const index = read('docs/README.md')
  const pages = readdirSync(new URL('../../docs/dialects/', import.meta.url)).filter((name) => name.endsWith('.md'))
  assert.deepEqual(pages.sort(), dialects.map((name) => `${name}.md`).sort())
  for (const name of dialects) {
    assert.ok(readme.includes(`](docs/dialects/${name}.md)`), `README.md links docs/dialects/${name}.md`)
    assert.ok(index.includes(`](dialects/${name}.md)`), `docs/README.md links dialects/${name}.md`)
    assert.ok(read(`docs/dialects/${name}.md`).includes(`<!-- options:${name} -->`), `docs/dialects/${name}.md has <!-- options:${name} -->`)
  }
})

test('the docs index links every page of docs/', () => {
  const index = read('docs/README.md')
  const pages = readdirSync(new URL('../../docs/', import.meta.url)).filter((name) => name.endsWith('.md') && name !== 'README.md')
  assert.ok(pages.length >= 8)
  assert.deepEqual(
    pages.filter((name) => !index.includes(`](${name}`)),
    [],
    'pages of docs/ the index does not link',
  )
})

test('the error page: every error code of the catalogue', () => {
  const errors = read('docs/errors.md')
  for (const { code } of core.errorCatalogue) assert.ok(errors.includes(`\`${code}\``), code)
})

test('every error class of the catalogue is in the table, with the same status', () => {
  type ErrorClass = (new (message: string) => core.PolytokenError) & { name: string }
  const classes = (Object.values(core) as unknown[]).filter((value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof core.PolytokenError)
  assert.ok(classes.length >= 20)
  for (const ErrorClass of classes) {
    const error = new ErrorClass('x')
    const row = core.errorCatalogue.find((entry) => entry.code === error.code)
    assert.ok(row, `${ErrorClass.name} (${error.code}) is missing from errorCatalogue`)
    assert.equal(row.status, error.status, error.code)
    assert.equal(error.name, ErrorClass.name)
  }
})
