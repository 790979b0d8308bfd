import { createStore } from '@polytoken/core'
import { storeComplianceSuite } from './compliance.js'
import { REDIS_URL, runPrefix, unreachable } from './services.js'

const prefix = runPrefix('redis')
storeComplianceSuite(`redis (${REDIS_URL})`, () => createStore({ url: REDIS_URL, prefix }), {
  unavailable: () => unreachable('Redis', REDIS_URL, 6379),
  shared: true,
})
