import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createOperationIds } from './openapi-operation-id.js'

test('operationIds of paths that differ only in punctuation stay unique', () => {
  const next = createOperationIds()
  assert.equal(next('github-pats', 'DELETE', '/pats/:id'), 'githubPats_deletePatsId')
  assert.equal(next('a', 'GET', '/x-y'), 'a_getXY')
  assert.equal(next('a', 'GET', '/x_y'), 'a_getXY_2')
  assert.equal(next('a', 'GET', '/'), 'a_getRoot')
  assert.equal(next('9lives', 'GET', '/'), '_9lives_getRoot')
  assert.equal(next('9lives', 'GET', '/'), '_9lives_getRoot_2')
})
