import { test } from 'node:test'
import assert from 'node:assert/strict'
import { samplePath } from './host-routes.js'

test('samplePath: a concrete path each Express 5 pattern matches', () => {
  assert.equal(samplePath('/token/create'), '/token/create')
  assert.equal(samplePath('/1.0/:app_name/:app_version'), '/1.0/x/x')
  assert.equal(samplePath('/users/:id/photos'), '/users/x/photos')
  assert.equal(samplePath('/files/*path'), '/files/x')
  assert.equal(samplePath('/a{/:b}'), '/a/x')
  assert.equal(samplePath('/:"quoted name"/end'), '/x/end')
  assert.equal(samplePath('/literal\\:colon'), '/literal:colon')
})
