import { createStore } from '@polytoken/core'
import { redactUrl } from '@polytoken/core'
import { storeComplianceSuite } from './compliance.js'
import { POSTGRES_URL, runPrefix, unreachable } from './services.js'

const prefix = runPrefix('pg')
storeComplianceSuite(`postgres (${redactUrl(POSTGRES_URL)})`, () => createStore({ url: POSTGRES_URL, prefix }), {
  unavailable: () => unreachable('Postgres', POSTGRES_URL, 5432),
  shared: true,
})
