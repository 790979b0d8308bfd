/**
 * The docs page's asset route (`<docs>/assets/<version>/<file>`) serves a fixed list of files from memory by exact
 * name: dot segments, encoded slashes and backslashes, double encoding, NUL bytes, another version, a directory or
 * a file of swagger-ui-dist that the page does not load never reach a file. Sent over a raw socket path (no client
 * normalises the dots), to the router mounted at /auth and at the root.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { prodmanager } from '@polytoken/plugins'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** The path exactly as given on the request line. */
function rawGet(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** What would show that a file outside the list was read: this repository's, swagger-ui-dist's own, the system's. */
const LEAKS = [/"name":\s*"(polytoken|swagger-ui-dist|@polytoken)/, /root:x:0:0/, /sourceMappingURL|"mappings":/, /<title>Swagger UI<\/title>/, /petstore\.swagger\.io/, /"workspaces"/]

for (const mount of ['/auth', '']) {
  describe(`docs assets, router mounted at ${mount || '/'}: nothing but the listed files`, () => {
    let server: Server
    let router: PolytokenRouter
    let port: number
    let assets: string
    before(async () => {
      router = await polytoken({
        dialects: [prodmanager({ secret: 'an-application-secret', permissions: { read: 1 } })],
        store: 'memory://',
        masterKey: 'docs-assets-attack-master-key-0123456789',
        logger: silentLogger,
        docs: true,
      })
      const app = express()
      app.use(mount || '/', router)
      app.use((_req, res) => {
        res.status(404).json({ host: 'not found' })
      })
      server = app.listen(0, '127.0.0.1')
      await once(server, 'listening')
      port = (server.address() as AddressInfo).port
      const page = await rawGet(port, `${mount}/docs`)
      assets = `${mount}/${/href="(docs\/assets\/[0-9a-f]+)\/swagger-ui\.css"/.exec(page.body)![1]}`
    })
    after(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await router.close()
    })

    test('the listed files are served', async () => {
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js', 'favicon-16x16.png', 'favicon-32x32.png']) {
        assert.equal((await rawGet(port, `${assets}/${file}`)).status, 200, file)
      }
    })

    const attempts = (assetsPath: string, docsPath: string) => [
      // Dot segments, plain and encoded, out of the asset directory.
      `${assetsPath}/../../../package.json`,
      `${assetsPath}/../../../../../../../../etc/passwd`,
      `${assetsPath}/..%2f..%2f..%2fpackage.json`,
      `${assetsPath}/%2e%2e%2f%2e%2e%2fpackage.json`,
      `${assetsPath}/%2E%2E/%2E%2E/package.json`,
      `${assetsPath}/..%5c..%5cpackage.json`,
      `${assetsPath}/..\\..\\package.json`,
      `${assetsPath}/%252e%252e%252fpackage.json`,
      `${assetsPath}/%c0%ae%c0%ae%c0%afpackage.json`,
      `${assetsPath}/swagger-ui.css%00.map`,
      `${assetsPath}/swagger-ui.css%2f..%2f..%2fpackage.json`,
      `${docsPath}/assets/../../package.json`,
      `${docsPath}/..%2f..%2fpackage.json`,
      `${docsPath}/assets/%2e%2e/%2e%2e/etc/passwd`,
      // Files of swagger-ui-dist the page does not load, and the package's own files.
      `${assetsPath}/package.json`,
      `${assetsPath}/index.html`,
      `${assetsPath}/swagger-initializer.js`,
      `${assetsPath}/swagger-ui-bundle.js.map`,
      `${assetsPath}/swagger-ui.css.map`,
      `${assetsPath}/oauth2-redirect.html`,
      `${assetsPath}/README.md`,
      // Names that are keys of every object.
      `${assetsPath}/__proto__`,
      `${assetsPath}/constructor`,
      `${assetsPath}/toString`,
      // Directories: no listing.
      `${assetsPath}/`,
      assetsPath,
      `${docsPath}/assets/`,
      `${docsPath}/assets`,
      // Another version, or a file name in the version's place.
      `${docsPath}/assets/0000000000000000/swagger-ui.css`,
      `${docsPath}/assets/..%2f/swagger-ui.css`,
      `${docsPath}/assets/%2e%2e/swagger-ui.css`,
    ]

    test('dot segments, encodings, unlisted files and directories: 404, no file content', async () => {
      for (const path of attempts(assets, `${mount}/docs`)) {
        const answer = await rawGet(port, path)
        assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`)
        for (const leak of LEAKS) assert.doesNotMatch(answer.body, leak, path)
        assert.doesNotMatch(String(answer.headers['content-type']), /javascript|css|image|html/, path)
      }
    })
  })
}
