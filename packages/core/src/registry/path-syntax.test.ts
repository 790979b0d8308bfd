import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkPathSyntax, routeShape } from './path-syntax.js'

test('Express 5 paths pass, Express 4-only syntax is refused', () => {
  for (const ok of ['/token/create', '/1.0/:app/:version', '/files/*rest', '/a{/:b}']) assert.equal(checkPathSyntax(ok), undefined, ok)
  for (const bad of ['token', '/a/:b?', '/a/*', '/a/(b)', '/a/:', '/a{/b']) assert.notEqual(checkPathSyntax(bad), undefined, bad)
})

test('parameter names do not make two routes different', () => {
  assert.equal(routeShape('get', '/a/:x'), routeShape('GET', '/a/:y/'))
})
