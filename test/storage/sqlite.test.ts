import { after } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { storeComplianceSuite } from './compliance.js'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

// Every backend opened here is a separate connection to the same file.
storeComplianceSuite('sqlite:// (temp file)', () => createStore(`sqlite://${join(dir, 'store.db')}`), { shared: true })
storeComplianceSuite('sqlite://:memory:', () => createStore('sqlite://:memory:'))
