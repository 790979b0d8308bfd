import { after } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '@polytoken/core'
import { describeStoreCompliance } from '@polytoken/store-test-suite'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

// Every backend opened here is a separate connection to the same file.
describeStoreCompliance({ name: 'sqlite:// (temp file)', create: () => createStore(`sqlite://${join(dir, 'store.db')}`), shared: true })
describeStoreCompliance({ name: 'sqlite://:memory:', create: () => createStore('sqlite://:memory:') })
