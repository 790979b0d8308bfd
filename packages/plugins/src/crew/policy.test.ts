import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalid } from '@polytoken/core'
import { createPolicy, type PolicyRule } from './policy.js'
import { parseScopes } from './scope.js'
import { compileGlob } from './glob.js'

const rules: PolicyRule[] = [
  { account: 'admin', type: 'registry', name: 'catalog', actions: ['*'] },
  { account: '*', type: 'repository', name: 'secret/**', actions: [] },
  { account: '*', type: 'repository', name: ['${account}/*', '${account}/**'], actions: ['pull', 'push', 'delete'] },
  { type: 'repository', name: 'library/*', actions: ['pull'] },
  { account: '', type: 'web', name: '/v1/user*', actions: ['post'] },
  { account: 'ci-*', service: 'registry.internal', type: 'repository', name: '**', actions: ['pull'] },
]
const policy = createPolicy(rules)

function grant(account: string | undefined, scopes: string | string[], service = 'registry.local') {
  return policy.evaluate({ account, service, scopes: parseScopes(scopes) })
}

test('first match wins, and a denial stops the search', () => {
  assert.deepEqual(grant('alice', 'repository:secret/alice:pull'), [{ type: 'repository', name: 'secret/alice', actions: [] }])
  assert.deepEqual(grant('alice', 'repository:alice/app:pull,push'), [{ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] }])
})

test('grants the intersection of what was asked and what the rule gives', () => {
  assert.deepEqual(grant('alice', 'repository:library/ubuntu:pull,push'), [{ type: 'repository', name: 'library/ubuntu', actions: ['pull'] }])
  assert.deepEqual(grant('alice', 'repository:alice/app:push,tag'), [{ type: 'repository', name: 'alice/app', actions: ['push'] }])
})

test('${account} is the caller: nobody else gets the namespace, anonymous never', () => {
  assert.deepEqual(grant('bob', 'repository:alice/app:push')[0]!.actions, [])
  assert.deepEqual(grant('bob', 'repository:bob/deep/app:push')[0]!.actions, ['push'])
  assert.deepEqual(grant(undefined, 'repository:alice/app:pull')[0]!.actions, [])
  // An account name is substituted literally, never as a pattern.
  const literal = createPolicy([{ account: '*', name: '${account}/x', actions: ['pull'] }])
  assert.deepEqual(literal.evaluate({ account: 'a.b', service: 's', scopes: parseScopes('repository:aXb/x:pull') })[0]!.actions, [])
})

test('anonymous callers match only account ""; authenticated ones never do', () => {
  assert.deepEqual(grant(undefined, 'scope=web:/v1/user:post;web:/v1/user/auth:post'), [
    { type: 'web', name: '/v1/user', actions: ['post'] },
    { type: 'web', name: '/v1/user/auth', actions: [] },
  ])
  assert.deepEqual(grant('alice', 'web:/v1/user:post')[0]!.actions, [])
  // No account matcher: anonymous too.
  assert.deepEqual(grant(undefined, 'repository:library/debian:pull')[0]!.actions, ['pull'])
})

test('no matching rule grants nothing; empty access is not an error', () => {
  assert.deepEqual(grant('alice', 'repository:other/app:pull'), [{ type: 'repository', name: 'other/app', actions: [] }])
  assert.deepEqual(createPolicy(undefined).evaluate({ account: 'x', service: 's', scopes: parseScopes('registry:catalog:*') })[0]!.actions, [])
})

test('registry:catalog:* goes only to whom the policy gives *', () => {
  assert.deepEqual(grant('admin', 'registry:catalog:*'), [{ type: 'registry', name: 'catalog', actions: ['*'] }])
  assert.deepEqual(grant('alice', 'registry:catalog:*')[0]!.actions, [])
})

test('a requested * gets every granted action; a granted * gets every requested one', () => {
  assert.deepEqual(grant('alice', 'repository:compose:alice/*:*'), [{ type: 'repository', class: 'compose', name: 'alice/*', actions: ['pull', 'push', 'delete'] }])
  assert.deepEqual(grant('admin', 'registry:catalog:pull')[0]!.actions, ['pull'])
})

test('a requested wildcard name is granted only when the rule covers all it could mean', () => {
  // ${account}/* covers alice/*, but not alice/** (deeper names) nor */app.
  assert.deepEqual(grant('alice', 'repository:alice/*:pull')[0]!.actions, ['pull'])
  assert.deepEqual(grant('alice', 'repository:alice/**:pull')[0]!.actions, ['pull'], 'covered by ${account}/**')
  assert.deepEqual(grant('alice', 'repository:*/app:pull')[0]!.actions, [])
  assert.deepEqual(grant('alice', 'repository:library/**:pull')[0]!.actions, [], 'library/* does not cover library/**')
  assert.deepEqual(grant('alice', 'repository:library/u*:pull')[0]!.actions, ['pull'])
})

test('service matchers pick the audience', () => {
  assert.deepEqual(grant('ci-build', 'repository:x/y:pull', 'registry.internal')[0]!.actions, ['pull'])
  assert.deepEqual(grant('ci-build', 'repository:x/y:pull', 'registry.local')[0]!.actions, [])
  const byService = createPolicy([{ name: '${service}/*', actions: ['pull'] }])
  assert.deepEqual(byService.evaluate({ account: undefined, service: 'team', scopes: parseScopes('repository:team/app:pull') })[0]!.actions, ['pull'])
})

test('keeps one access entry per scope, in order', () => {
  const access = grant('alice', ['repository:alice/a:pull', 'repository:library/b:pull', 'registry:catalog:*'])
  assert.deepEqual(
    access.map((entry) => entry.name),
    ['alice/a', 'library/b', 'catalog'],
  )
})

test('bad rules fail at start-up naming the key', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{}, /crew\.policy: must be an array/],
    [[{ name: 'x' }], /crew\.policy\[0\]\.actions/],
    [[{ actions: ['PULL'] }], /crew\.policy\[0\]\.actions/],
    [[{ actions: [], acount: 'x' }], /crew\.policy\[0\]\.acount: unknown key/],
    [[{ actions: [], name: '${user}/x' }], /crew\.policy\[0\]\.name: unknown placeholder/],
    [[{ actions: [], account: '${account}' }], /crew\.policy\[0\]\.account: placeholders are allowed in name only/],
    [[{ actions: [], type: [] }], /crew\.policy\[0\]\.type: a glob/],
    [[null], /crew\.policy\[0\]: must be an object/],
  ]
  for (const [value, message] of bad) {
    assert.throws(
      () => createPolicy(value as PolicyRule[]),
      (error: unknown) => error instanceof ConfigInvalid && message.test(error.message),
      String(message),
    )
  }
})

test('globs: * stays inside a path segment, ** crosses segments', () => {
  const one = compileGlob('a/*/c')
  assert.equal(one.matches('a/b/c', {}), true)
  assert.equal(one.matches('a/b/x/c', {}), false)
  assert.equal(one.matches('a//c', {}), true)
  const deep = compileGlob('a/**')
  assert.equal(deep.matches('a/b/c/d', {}), true)
  assert.equal(deep.matches('a', {}), false)
  assert.equal(compileGlob('exact').matches('exact', {}), true)
  assert.equal(compileGlob('exact').matches('exact2', {}), false)
  // Long subjects do not blow up (no backtracking).
  const started = performance.now()
  assert.equal(compileGlob('*a*a*a*a*a*a*a*b').matches('a'.repeat(250), {}), false)
  assert.ok(performance.now() - started < 50)
})
