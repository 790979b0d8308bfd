import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'

/**
 * Debian's chromium, installed by ensure-chromium.sh when missing. undefined and the reason when it cannot be: the
 * tests that need it report themselves skipped with that reason, and only then.
 */
export function findChromium(): { path: string; skipReason?: undefined } | { path?: undefined; skipReason: string } {
  const ensure = spawnSync('sh', [fileURLToPath(new URL('./ensure-chromium.sh', import.meta.url))], { encoding: 'utf8', timeout: 600_000 })
  if (ensure.status === 0) return { path: ensure.stdout.trim() }
  return { skipReason: `Chromium (Debian package chromium) is not available and could not be installed: ${(ensure.stderr || ensure.error?.message || `exit ${ensure.status}`).trim()}` }
}

export function launch(executablePath: string): Promise<Browser> {
  // Root in a container has no user namespaces for Chromium's sandbox; the page is the test's own.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
}

/** Where screenshots go (gitignored): test-artifacts/ at the repository root. */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  return `${dir}${name}`
}

/** What the page reported while the test ran: CSP violations and script errors. */
export interface PageTrouble {
  violations: string[]
  errors: string[]
}

export async function watchPage(page: Page): Promise<PageTrouble> {
  const trouble: PageTrouble = { violations: [], errors: [] }
  await page.exposeFunction('__reportViolation', (text: string) => trouble.violations.push(text))
  // Injected by the browser itself (DevTools protocol), so the page's own CSP does not stop it.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (event) => window.__reportViolation(event.violatedDirective + ' blocked ' + event.blockedURI))",
  })
  page.on('pageerror', (error) => trouble.errors.push(error.message))
  return trouble
}

/** Open the page and wait until swagger-ui rendered the operations of /openapi.json; the dialects (tags) it shows. */
export async function openDocs(page: Page, url: string, trouble: PageTrouble): Promise<string[]> {
  const response = await page.goto(url)
  if (response?.status() !== 200) throw new Error(`GET ${url}: ${response?.status()}`)
  try {
    await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 })
  } catch (error) {
    // A page that never renders says why: a blocked script or a script error.
    throw new Error(`${url} rendered no operation: ${JSON.stringify(trouble)}`, { cause: error })
  }
  return page.locator('.opblock-tag').evaluateAll((tags) => tags.map((tag) => tag.getAttribute('data-tag') ?? ''))
}

/** Expand one operation, press "Try it out" and then "Execute" as they are pre-filled; the status and body shown. */
export async function tryItOut(page: Page, operationId: string, tag: string): Promise<{ status: string; body: string; requestUrl: string; operation: Locator }> {
  const operation = page.locator(`#operations-${tag}-${operationId}`)
  await operation.locator('.opblock-summary').click()
  await operation.getByRole('button', { name: 'Try it out' }).click()
  await operation.getByRole('button', { name: 'Execute' }).click()
  // The table's first row is its header (Code, Details): the answer is the row of class "response".
  const answer = operation.locator('.live-responses-table tr.response')
  await answer.waitFor({ timeout: 15_000 })
  return {
    status: (await answer.locator('.response-col_status').innerText()).trim(),
    body: (await answer.locator('.response-col_description pre').first().innerText()).trim(),
    requestUrl: (await operation.locator('.request-url pre').innerText()).trim(),
    operation,
  }
}
