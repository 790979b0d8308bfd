import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'

// The security page names, for every defence, the attack files that must fail against it:
// a new attack file that the page does not list, or a listed one that is gone, fails here.
const page = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
const attacks = readdirSync(new URL('../attacks/', import.meta.url)).filter((name) => name.endsWith('.test.ts'))

test('docs/security.md lists every file of test/attacks/', () => {
  assert.ok(attacks.length >= 20)
  const missing = attacks.filter((name) => !page.includes(`\`${name}\``))
  assert.deepEqual(missing, [], 'attack files the security page does not name')
})

test('every attack file docs/security.md names exists', () => {
  const named = [...page.matchAll(/`([a-z0-9-]+\.test\.ts)`/g)].map((match) => match[1]!)
  assert.ok(named.length >= 20)
  assert.deepEqual(
    named.filter((name) => !attacks.includes(name)),
    [],
  )
})
