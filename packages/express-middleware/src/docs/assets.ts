import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { INIT_SCRIPT } from './init-script.js'

export interface Asset {
  contentType: string
  body: Buffer
}

export interface DocsAssets {
  /** Changes with any asset's content: in their URLs, so they can be cached for good. */
  version: string
  /** By file name; nothing else is served (no directory, no file system path from the request). */
  files: ReadonlyMap<string, Asset>
}

/** What the page loads from swagger-ui-dist: the bundle (standalone, no preset or top bar), its stylesheet, the icons. */
const FROM_SWAGGER_UI: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
}

let loaded: DocsAssets | undefined

/** Read once per process, on the first router with docs on: a few MB in memory, no disk read per request. */
export function docsAssets(): DocsAssets {
  if (loaded) return loaded
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  const files = new Map<string, Asset>()
  for (const [name, contentType] of Object.entries(FROM_SWAGGER_UI)) files.set(name, { contentType, body: withoutSourceMap(readFileSync(join(dist, name)), name) })
  files.set('init.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(INIT_SCRIPT) })
  const hash = createHash('sha256')
  for (const [name, asset] of files) hash.update(name).update(asset.body)
  loaded = { version: hash.digest('hex').slice(0, 16), files }
  return loaded
}

/** The source maps are not served (they are most of the package): drop the comment that would make devtools ask for them. */
function withoutSourceMap(body: Buffer, name: string): Buffer {
  if (!name.endsWith('.js') && !name.endsWith('.css')) return body
  const text = body.toString('utf8').replace(/\n?\/[/*]# sourceMappingURL=\S+(?: \*\/)?\s*$/, '\n')
  return Buffer.from(text)
}
