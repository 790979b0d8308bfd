/**
 * The docs build (`npm run docs`). The Markdown pages are written by hand; the parts that
 * must follow the code are generated *regions* inside them:
 *
 *   <!-- error-table -->
 *   (generated)
 *   <!-- /error-table -->
 *
 * Each region whose marker has a generator is rewritten (`<!-- options:crew -->`: crew's
 * options table, from its JSON Schema); a marker without a generator is left exactly as it
 * is, so pages can hold a place for a generator wired later. Every package also gets a copy of the root
 * LICENSE, since npm packs a package's own folder only.
 * `npm run docs -- --check` writes nothing and exits 1 when a file is stale;
 * test/docs/docs-build.test.ts fails the same way.
 */
import { readFileSync, readdirSync, existsSync, writeFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorCatalogue, type JsonSchema } from '@polytoken/core'
import { crewOptionsSchema, prodmanagerOptionsSchema, sagradaOptionsSchema, tokenGeneratorOptionsSchema, zazzOptionsSchema } from '@polytoken/plugins'
import { optionsTable } from './options-table.js'

export const root = fileURLToPath(new URL('..', import.meta.url))

/** Builds a region's Markdown. `argument` is what follows the first `:` of the marker (`crew` in `options:crew`). */
export type RegionGenerator = (argument: string | undefined) => string
export type RegionGenerators = Readonly<Record<string, RegionGenerator>>

/** Looked up by the whole marker name first, then by its part before `:`. */
export const defaultGenerators: RegionGenerators = {
  'error-table': () => errorTable(),
  options: (dialect) => optionsTable(optionSchemas[dialect ?? ''] ?? unknownDialect(dialect)),
}

/** Each dialect's options schema, by the name its page's marker uses (`<!-- options:crew -->`). */
const optionSchemas: Record<string, JsonSchema> = {
  crew: crewOptionsSchema,
  'token-generator': tokenGeneratorOptionsSchema,
  sagrada: sagradaOptionsSchema,
  zazz: zazzOptionsSchema,
  prodmanager: prodmanagerOptionsSchema,
}

function unknownDialect(name: string | undefined): never {
  throw new Error(`<!-- options:${String(name)} -->: no dialect of that name has an options schema`)
}

export function errorTable(): string {
  return ['| code | status | meaning | what to do |', '|---|---:|---|---|', ...errorCatalogue.map((row) => `| \`${row.code}\` | ${row.status} | ${row.meaning} | ${row.action} |`)].join('\n')
}

const MARKER = /^<!-- ([a-z0-9][a-z0-9:._-]*) -->$/
const FENCE = /^\s*(```|~~~)/

/** Rewrites every region of `markdown` that has a generator; everything else stays byte for byte. */
export function renderRegions(markdown: string, generators: RegionGenerators = defaultGenerators): string {
  const lines = markdown.split('\n')
  const out: string[] = []
  let fenced = false
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    out.push(line)
    if (FENCE.test(line)) fenced = !fenced
    const name = fenced ? undefined : MARKER.exec(line.trim())?.[1]
    if (!name) continue
    const colon = name.indexOf(':')
    const generate = generators[name] ?? (colon > 0 ? generators[name.slice(0, colon)] : undefined)
    if (!generate) continue
    const end = `<!-- /${name} -->`
    const close = lines.findIndex((candidate, at) => at > index && candidate.trim() === end)
    out.push('', generate(colon > 0 ? name.slice(colon + 1) : undefined).trim(), '', end)
    // An existing region is replaced; a bare marker gets its region inserted after it.
    if (close !== -1) index = close
  }
  return out.join('\n')
}

/** Every Markdown page a reader can reach: the root README and CHANGELOG, docs/, the packages' npm pages. */
export function markdownFiles(base = root): string[] {
  const files = ['README.md', 'CHANGELOG.md'].filter((path) => existsSync(join(base, path)))
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(base, dir)).sort()) {
      const path = join(dir, name)
      if (statSync(join(base, path)).isDirectory()) walk(path)
      else if (name.endsWith('.md')) files.push(path)
    }
  }
  if (existsSync(join(base, 'docs'))) walk('docs')
  for (const pkg of packageDirs(base)) {
    if (existsSync(join(base, pkg, 'README.md'))) files.push(join(pkg, 'README.md'))
  }
  return files
}

/** packages/* folders that hold a package.json. */
export function packageDirs(base = root): string[] {
  return readdirSync(join(base, 'packages'))
    .sort()
    .map((name) => join('packages', name))
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
}

/** What every generated file should contain: path (relative to the root) → content. */
export function buildDocs(generators: RegionGenerators = defaultGenerators, base = root): Map<string, string> {
  const outputs = new Map<string, string>()
  for (const path of markdownFiles(base)) outputs.set(path, renderRegions(readFileSync(join(base, path), 'utf8'), generators))
  const license = readFileSync(join(base, 'LICENSE'), 'utf8')
  for (const dir of packageDirs(base)) outputs.set(join(dir, 'LICENSE'), license)
  return outputs
}

/** The files whose content on disk differs from what the build makes. */
export function staleFiles(outputs: Map<string, string>, base = root): string[] {
  return [...outputs].filter(([path, content]) => !existsSync(join(base, path)) || readFileSync(join(base, path), 'utf8') !== content).map(([path]) => path)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outputs = buildDocs()
  const stale = staleFiles(outputs)
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`stale (run \`npm run docs\`): ${stale.join(', ')}`)
      process.exit(1)
    }
    console.log('docs up to date')
  } else {
    for (const path of stale) writeFileSync(join(root, path), outputs.get(path)!)
    console.log(stale.length > 0 ? `wrote ${stale.map((path) => relative('.', join(root, path))).join(', ')}` : 'docs up to date')
  }
}
