import { createStore } from '@polytoken/core'
import { redactUrl } from '@polytoken/store-keyv'
import { describeStoreCompliance } from '@polytoken/store-test-suite'
import { POSTGRES_URL, runPrefix, unreachable } from './services.js'

const prefix = runPrefix('pg')
describeStoreCompliance({
  name: `postgres (${redactUrl(POSTGRES_URL)})`,
  create: () => createStore({ url: POSTGRES_URL, prefix }),
  unavailable: () => unreachable('Postgres', POSTGRES_URL, 5432),
  shared: true,
})
