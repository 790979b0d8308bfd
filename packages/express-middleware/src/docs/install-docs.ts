import type { NextFunction, Request, Response, Router } from 'express'
import { send } from '../send.js'
import { docsAssets } from './assets.js'
import type { ResolvedDocs } from './options.js'
import { DOCS_CSP, docsPage } from './page.js'

/** A year: the assets' URLs carry their content's version, so a changed file has a new URL. */
const ASSET_CACHING = 'public, max-age=31536000, immutable'

/** The page and its assets' route, relative to the mount point (for the 405s and router.routes()). */
export function docsPaths(docs: ResolvedDocs): string[] {
  return [docs.path, `${docs.path}/assets/:version/:file`]
}

/**
 * GET <docs.path>: swagger-ui over the router's own /openapi.json. GET <docs.path>/assets/<version>/<file>: the files
 * it loads, from memory by exact name; any other name or version falls through to the host, like any path the
 * router does not serve.
 */
export function installDocs(router: Router, docs: ResolvedDocs, title: string): void {
  const { version, files } = docsAssets()
  const page = docsPage(docs.path, version, title)
  const [pagePath, assetPath] = docsPaths(docs) as [string, string]
  const lastSegment = docs.path.slice(docs.path.lastIndexOf('/') + 1)
  router.get(pagePath, (req: Request, res: Response) => {
    // Under `/docs/` the page's relative links would point one level down: back to `/docs` (relative, so a prefix holds).
    if (req.path.endsWith('/')) return send(res, { status: 301, headers: { Location: `../${lastSegment}` } })
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }
    if (!res.hasHeader('content-security-policy')) headers['Content-Security-Policy'] = DOCS_CSP
    send(res, { status: 200, headers, body: page })
  })
  router.get(assetPath, (req: Request, res: Response, next: NextFunction) => {
    const { version: asked, file } = req.params as { version: string; file: string }
    const asset = asked === version ? files.get(file) : undefined
    if (!asset) return next()
    send(res, { status: 200, headers: { 'Content-Type': asset.contentType, 'Cache-Control': ASSET_CACHING }, body: asset.body })
  })
}
