/**
 * GET /docs over HTTP (the browser suite is test/docs-page/): off unless asked for; the page, its relative links
 * wherever the router is mounted, its headers (its own CSP unless the host has one, no-cache; assets cacheable for
 * good under a versioned URL despite the host's app-wide caching header), its 405s, and the option's checks.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import express from 'express'
import helmet from 'helmet'
import { ConfigInvalid, silentLogger } from '@polytoken/core'
import { polytoken, type PolytokenRouter, type PolytokenRouterOptions } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'

const MASTER_KEY = 'docs-page-test-master-key-0123456789abcdef'
const routers: PolytokenRouter[] = []

async function router(options: Partial<PolytokenRouterOptions> = {}): Promise<PolytokenRouter> {
  const built = await polytoken({
    dialects: [{ dialect: prodmanager({ secret: 'an-application-secret', permissions: { read: 1 } }), prefix: '/api' }],
    store: 'memory://',
    masterKey: MASTER_KEY,
    logger: silentLogger,
    ...options,
  })
  routers.push(built)
  return built
}

function hostApp(mount: string, polytokenRouter: PolytokenRouter, before: express.RequestHandler[] = []): express.Express {
  const app = express()
  for (const handler of before) app.use(handler)
  app.use(mount, polytokenRouter)
  app.use((_req, res) => {
    res.status(404).json({ host: 'not found' })
  })
  return app
}

/** The page's links, resolved against the page's own URL as a browser does. */
function linksOf(html: string, pageUrl: string): { assets: string[]; openapi: string } {
  const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => new URL(match[1]!, pageUrl).pathname)
  const openapi = new URL(/data-openapi="([^"]+)"/.exec(html)![1]!, pageUrl).pathname
  return { assets, openapi }
}

after(async () => {
  for (const built of routers) await built.close()
})

test('off by default: /docs falls through to the host, and router.routes() does not list it', async () => {
  const built = await router()
  const response = await request(hostApp('/', built)).get('/docs')
  assert.equal(response.status, 404)
  assert.deepEqual(response.body, { host: 'not found' })
  assert.ok(!built.routes().some((route) => route.path.startsWith('/docs')))
})

describe('docs: true, mounted at /auth behind an app-wide Cache-Control', () => {
  let app: express.Express
  let built: PolytokenRouter
  before(async () => {
    built = await router({ docs: true })
    app = hostApp('/auth', built, [
      (_req, res, next) => {
        res.setHeader('Cache-Control', 'public, max-age=600')
        next()
      },
    ])
  })

  test("the page: HTML, its own CSP, no-cache; every link relative and resolving under /auth; the router's own /openapi.json", async () => {
    const response = await request(app).get('/auth/docs')
    assert.equal(response.status, 200)
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(response.headers['cache-control'], 'no-cache')
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    const csp = String(response.headers['content-security-policy'])
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.doesNotMatch(response.text, /<script>|<script [^>]*>[^<]/, 'no inline script')
    assert.doesNotMatch(response.text, /https?:\/\//, 'no absolute URL, no CDN')
    const links = linksOf(response.text, 'http://example.test/auth/docs')
    assert.equal(links.openapi, '/auth/openapi.json')
    assert.ok(links.assets.length >= 4)
    for (const path of links.assets) {
      assert.match(path, /^\/auth\/docs\/assets\/[0-9a-f]{16}\/[a-z0-9.-]+$/)
      const asset = await request(app).get(path)
      assert.equal(asset.status, 200, path)
      // Deliberately cacheable: the URL changes with the content. The host's header does not reach it either.
      assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', path)
      assert.match(String(asset.headers['content-type']), /^(text\/javascript|text\/css|image\/png)/, path)
    }
    const openapi = await request(app).get(links.openapi)
    assert.equal(openapi.status, 200)
    assert.deepEqual(openapi.body.servers, [{ url: '/auth' }])
  })

  test('a token answer is still no-store beside the cacheable assets', async () => {
    const response = await request(app).post('/auth/api/token/create').type('form').send({ secret: 'an-application-secret', name: 'docs-page-test', description: 'a token for the docs page test' })
    assert.equal(response.status, 200, response.text)
    assert.equal(response.headers['cache-control'], 'no-store')
  })

  test('/docs/ redirects to /docs (relative, so a proxy prefix holds); HEAD answers; other methods are 405', async () => {
    const slash = await request(app).get('/auth/docs/')
    assert.equal(slash.status, 301)
    assert.equal(new URL(slash.headers.location!, 'http://example.test/auth/docs/').pathname, '/auth/docs')
    assert.equal((await request(app).head('/auth/docs')).status, 200)
    const post = await request(app).post('/auth/docs')
    assert.equal(post.status, 405)
    assert.equal(post.headers.allow, 'GET, HEAD')
  })

  test('router.routes() lists the page and its assets', () => {
    const paths = built.routes().map((route) => route.path)
    assert.ok(paths.includes('/docs'))
    assert.ok(paths.includes('/docs/assets/:version/:file'))
  })
})

test('docs: { path: "/reference/docs" }: the links go one level up to /openapi.json; /docs is not served', async () => {
  const app = hostApp('/', await router({ docs: { path: '/reference/docs' } }))
  const response = await request(app).get('/reference/docs')
  assert.equal(response.status, 200)
  const links = linksOf(response.text, 'http://example.test/reference/docs')
  assert.equal(links.openapi, '/openapi.json')
  for (const path of links.assets) assert.equal((await request(app).get(path)).status, 200, path)
  assert.equal((await request(app).get('/docs')).status, 404)
})

test("a host's helmet keeps its own CSP on the page (the browser suite loads the page under it)", async () => {
  const app = hostApp('/', await router({ docs: true }), [helmet()])
  const response = await request(app).get('/docs')
  assert.equal(response.status, 200)
  const csp = String(response.headers['content-security-policy'])
  assert.match(csp, /upgrade-insecure-requests/, 'helmet’s policy, not the page’s')
  assert.match(csp, /script-src 'self'/)
})

describe('the docs option is checked at start-up', () => {
  const refused = async (docs: unknown, pattern: RegExp) => {
    await assert.rejects(router({ docs: docs as PolytokenRouterOptions['docs'] }), (error: unknown) => {
      assert.ok(error instanceof ConfigInvalid, String(error))
      assert.match(error.message, pattern)
      return true
    })
  }
  test('a path that is not plain segments', async () => {
    for (const path of ['docs', '/docs/', '/a/../docs', '/./docs', '/do cs', '/docs?x', '//docs', '/%2e%2e', '']) await refused({ path }, /^docs\.path: /)
  })
  test('a value that is not true, false or { path }', async () => {
    await refused('yes', /^docs: /)
  })
  test('a path the router or a dialect serves, in any letter case', async () => {
    await refused({ path: '/openapi.json' }, /overlaps \/openapi\.json/)
    await refused({ path: '/api/token/create' }, /overlaps \/api\/token\/create/)
    await refused({ path: '/API/Token' }, /overlaps \/api\/token\//)
  })
})
