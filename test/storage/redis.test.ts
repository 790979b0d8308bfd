import { createStore } from '@polytoken/core'
import { describeStoreCompliance } from '@polytoken/store-test-suite'
import { REDIS_URL, runPrefix, unreachable } from './services.js'

const prefix = runPrefix('redis')
describeStoreCompliance({ name: `redis (${REDIS_URL})`, create: () => createStore({ url: REDIS_URL, prefix }), unavailable: () => unreachable('Redis', REDIS_URL, 6379), shared: true })
