import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ScopeSyntaxError, formatScope, parseScope, parseScopes } from './scope.js'

test('parses the plain Docker form', () => {
  assert.deepEqual(parseScope('repository:samalba/my-app:pull,push'), { type: 'repository', name: 'samalba/my-app', actions: ['pull', 'push'] })
  assert.deepEqual(parseScope('repository:ubuntu:pull'), { type: 'repository', name: 'ubuntu', actions: ['pull'] })
})

test('keeps a registry host:port inside the name', () => {
  assert.deepEqual(parseScope('repository:localhost:5000/foo/bar:pull'), { type: 'repository', name: 'localhost:5000/foo/bar', actions: ['pull'] })
  assert.deepEqual(parseScope('repository:registry.example.com:443/team/app:push,pull'), {
    type: 'repository',
    name: 'registry.example.com:443/team/app',
    actions: ['push', 'pull'],
  })
})

test('reads the resource class in parentheses', () => {
  assert.deepEqual(parseScope('repository(plugin):vieux/sshfs:pull'), { type: 'repository', class: 'plugin', name: 'vieux/sshfs', actions: ['pull'] })
})

test('guards the catalog with registry:catalog:*', () => {
  assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] })
})

test("reads crew.md's repository:compose:genedna/*:* as a class and a wildcard name", () => {
  assert.deepEqual(parseScope('repository:compose:genedna/*:*'), { type: 'repository', class: 'compose', name: 'genedna/*', actions: ['*'] })
  assert.deepEqual(parseScope('repository:compose:localhost:5000/genedna/app:pull'), {
    type: 'repository',
    class: 'compose',
    name: 'localhost:5000/genedna/app',
    actions: ['pull'],
  })
})

test("parses crew.md's web scopes with the scope= prefix and ; separators", () => {
  assert.deepEqual(parseScopes('scope=web:/v1/user:post;web:/v1/user/auth:post'), [
    { type: 'web', name: '/v1/user', actions: ['post'] },
    { type: 'web', name: '/v1/user/auth', actions: ['post'] },
  ])
})

test('takes repeated values, space-separated lists and merges one resource', () => {
  const scopes = parseScopes(['repository:a/b:pull', 'repository:a/b:push repository:c:pull', 'registry:catalog:*'])
  assert.deepEqual(scopes, [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
    { type: 'repository', name: 'c', actions: ['pull'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ])
  assert.deepEqual(parseScopes(undefined), [])
  assert.deepEqual(parseScopes(['', '  ']), [])
})

test('de-duplicates actions and keeps their order', () => {
  assert.deepEqual(parseScope('repository:a:push,pull,push').actions, ['push', 'pull'])
})

test('refuses what does not parse, saying why', () => {
  const bad: Array<[string, RegExp]> = [
    ['repository', /type:name:actions/],
    ['repository:foo', /type:name:actions/],
    [':foo:pull', /type:name:actions/],
    ['Repository:foo:pull', /type/],
    ['repository(:foo:pull', /type/],
    ['repository::pull', /empty/],
    ['repository:foo:', /empty action/],
    ['repository:foo:pull,', /empty action/],
    ['repository:foo:PULL', /action/],
    ['repository:foo:pu ll', /action must be/],
    ['repository:a:b:c:d:pull', /one colon/],
    ['repository(plugin):compose:foo:pull', /class twice/],
    ['repository:Compose!:foo:pull', /class/],
    ['repository:foo"bar:pull', /character/],
    ['repository:foo\\bar:pull', /character/],
    ['repository:f\u00e9o:pull', /character/],
    ['repository:foo\u0000:pull', /character/],
    [`repository:${'a'.repeat(256)}:pull`, /longer than 255/],
    [`repository:foo:${Array.from({ length: 17 }, (_, i) => `a${i}`).join(',')}`, /more than 16 actions/],
  ]
  for (const [text, reason] of bad) {
    assert.throws(
      () => parseScope(text),
      (error: unknown) => error instanceof ScopeSyntaxError && reason.test(error.message),
      text,
    )
  }
})

test("repository names follow Docker's reference grammar: no dot, dot-dot or empty components", () => {
  for (const name of ['library/../genedna/private', '../x', 'a/./b', 'a//b', 'a/', '/a', 'Library/../x', 'a..b/c', 'a___b', 'a-/b', '-a', 'app.', 'a/B']) {
    assert.throws(
      () => parseScope(`repository:${name}:pull`),
      (error: unknown) => error instanceof ScopeSyntaxError && /reference grammar/.test(error.message),
      name,
    )
  }
  // What Docker accepts still parses, domain and wildcards included.
  for (const name of ['a', 'a.b-c_d__e/f--g', 'localhost:5000/a/b', 'Registry.Example.com/team/app', 'genedna/*', 'library/u*', 'team/**']) {
    assert.equal(parseScope(`repository(plugin):${name}:pull`).name, name)
  }
})

test('web paths and other names refuse dot segments, // and percent-encoded separators', () => {
  for (const name of ['/v1/../admin/users', '/v1/./user', '/v1/..', '..', '//v1/user', '/v1//user', '/v1/%2e%2e/admin', '/v1/%2E./admin', '/v1%2fadmin', '/v1%5cadmin', '/v1/%252e%252e/admin']) {
    assert.throws(() => parseScope(`web:${name}:get`), ScopeSyntaxError, name)
  }
  assert.throws(() => parseScope('registry:../catalog:*'), ScopeSyntaxError)
  for (const name of ['/v1/user', '/v1/user/', '/v1/a.b', '/v1/..a', '/v1/a%20b']) assert.equal(parseScope(`web:${name}:get`).name, name)
})

test('bounds the number of scopes in one request', () => {
  const many = Array.from({ length: 33 }, (_, i) => `repository:r${i}:pull`)
  assert.throws(() => parseScopes(many), /more than 32 scopes/)
  assert.equal(parseScopes(many.slice(0, 32)).length, 32)
  assert.throws(() => parseScopes(many.slice(0, 3), 2), /more than 2 scopes/)
  // The same resource asked twice counts once.
  assert.equal(parseScopes([...many.slice(0, 2), 'repository:r0:push'], 2).length, 2)
})

test('formats back to the canonical text', () => {
  for (const text of ['repository:a/b:pull,push', 'repository(plugin):x:pull', 'registry:catalog:*', 'repository:localhost:5000/a:pull']) {
    assert.equal(formatScope(parseScope(text)), text)
  }
  assert.equal(formatScope(parseScope('repository:compose:genedna/*:*')), 'repository(compose):genedna/*:*')
})

test('the action limit holds after entries for one resource are merged', () => {
  const first = Array.from({ length: 16 }, (_, i) => `a${i}`)
  assert.deepEqual(parseScopes([`repository:x/y:${first.slice(0, 10).join(',')}`, `repository:x/y:${first.slice(5).join(',')}`])[0]!.actions, first)
  assert.throws(
    () => parseScopes([`repository:x/y:${first.join(',')}`, 'repository:x/y:pull']),
    (error: unknown) => error instanceof ScopeSyntaxError && /more than 16 actions on one resource/.test(error.message),
  )
  // Other resources keep their own budget.
  assert.equal(parseScopes([`repository:x/y:${first.join(',')}`, `repository:x/z:${first.join(',')}`]).length, 2)
})
