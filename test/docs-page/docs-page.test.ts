/**
 * GET /docs in a real browser: headless Chromium (Debian's chromium, installed by ensure-chromium.sh; the suite
 * reports itself skipped with the reason only if it cannot be installed) driven by playwright-core.
 * - The examples server's page lists every dialect, and prodmanager's create, sent through "Try it out" as the page
 *   pre-fills it (prodmanager.md's own curl request), comes back 200 with a JWT. A screenshot is kept in
 *   test-artifacts/.
 * - Mounted at /auth in a host app with helmet (its strict CSP: no inline script) and compression, the page loads its
 *   assets and /auth/openapi.json with no CSP violation, and "Try it out" hits /auth/pm/token/create.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { decodeJwt } from 'jose'
import { startExampleServer, type RunningServer } from '../helpers/spawn-server.js'
import { MOUNT, startTypicalApp, type TypicalApp } from '../host-app/typical-app.js'
import { artifactPath, findChromium, launch, openDocs, tryItOut, watchPage } from './browser.js'

const chromium = findChromium()
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

describe('the docs page in headless Chromium', { skip: chromium.skipReason, timeout: 150_000, concurrency: true }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-docs-page-'))
  let browser: Browser
  let server: RunningServer
  let host: TypicalApp
  // Started side by side: the server's start-up and Chromium's are most of the suite's time.
  before(async () => {
    ;[browser, server, host] = await Promise.all([
      launch(chromium.path!),
      startExampleServer({ POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir, POLYTOKEN_METRICS_PORT: 'off' }),
      startTypicalApp({ docs: true }),
    ])
  })
  after(async () => {
    await Promise.all([browser?.close(), server?.stop(), host?.close()])
    rmSync(dataDir, { recursive: true, force: true })
  })

  test("the examples server's page lists every dialect; prodmanager's create through Try it out is 200 with a JWT", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    const trouble = await watchPage(page)
    const tags = await openDocs(page, `${server.url}/docs`, trouble)
    for (const dialect of ['prodmanager', 'token-generator', 'crew', 'zazz', 'sagrada', 'github-pats']) assert.ok(tags.includes(dialect), `${dialect} in ${tags.join(', ')}`)

    const sent = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/token/create')
    const result = await tryItOut(page, 'prodmanager_postTokenCreate', 'prodmanager')
    const request = await sent
    // Pre-filled with prodmanager.md's request: its fields, the permission field repeated, nothing else.
    const form = request.postData() ?? ''
    for (const field of ['changeit', 'api-documentation', 'Token for documentation example']) assert.ok(form.includes(`\r\n\r\n${field}\r\n`), form)
    assert.equal(form.match(/name="permission"/g)?.length, 2, form)
    assert.doesNotMatch(form, /not_before_date|expiration_date/)

    assert.equal(result.status, '200', result.body)
    assert.match(result.body, JWT)
    const claims = decodeJwt(result.body)
    assert.equal(claims.aud, 'api-documentation')
    assert.deepEqual(claims.permissions, [1, 2])
    assert.deepEqual(trouble, { violations: [], errors: [] })

    await result.operation.scrollIntoViewIfNeeded()
    const screenshot = artifactPath('docs-page.png')
    await page.screenshot({ path: screenshot })
    console.log(`screenshot: ${screenshot}`)
    await page.close()
  })

  test('mounted at /auth in a host app with helmet: no CSP violation; the OpenAPI document and "Try it out" are under /auth', async () => {
    const page = await browser.newPage()
    const trouble = await watchPage(page)
    const specs: string[] = []
    page.on('response', (response) => void (response.url().endsWith('/openapi.json') && specs.push(new URL(response.url()).pathname)))
    const tags = await openDocs(page, `${host.url}${MOUNT}/docs`, trouble)
    assert.deepEqual(specs, [`${MOUNT}/openapi.json`])
    assert.ok(tags.includes('prodmanager'), tags.join(', '))

    const result = await tryItOut(page, 'prodmanager_postTokenCreate', 'prodmanager')
    assert.equal(new URL(result.requestUrl).pathname, `${MOUNT}/pm/token/create`)
    assert.equal(result.status, '200', result.body)
    assert.match(result.body, JWT)
    assert.deepEqual(trouble, { violations: [], errors: [] })
    await page.close()
  })
})
