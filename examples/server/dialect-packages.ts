import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigInvalid, type DialectDefinition, type JsonSchema } from '@polytoken/core'
import { MOUNT_KEYS, PACKAGE_KEY } from './config-schema.js'
import type { MountDialect } from './context.js'

/**
 * A dialect from an installed npm package, named by a section of the config file:
 *
 *   "greeting": { "package": "@polytoken-examples/greeting-dialect", "prefix": "", "apiKey": "..." }
 *
 * The package exports `./options-schema.json` (its options' JSON Schema, read when the config is loaded,
 * without running the package) and, from its main entry, `createDialect(options)`, which returns the
 * dialect. docs/writing-a-dialect.md#publishing-a-dialect-package is the convention for authors.
 */
export interface DialectPackage {
  /** The npm package name the section gives. */
  name: string
  /** Its main entry, as Node resolves it from the config file's directory or the server's. */
  entry: string
  /** Its options schema, `required` included: the final check of the section's options. */
  optionsSchema: JsonSchema
}

/** A section key that is not built in: what a variable can name (POLYTOKEN_<SECTION>__...). */
const SECTION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
/** npm's rule for package names: no path, no URL, nothing Node would read as a file. */
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

export function isPackageSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, PACKAGE_KEY)
}

/**
 * Find the package a section names, from each directory in turn (the config file's, then the server's), and
 * read its options schema. A missing package, one without the schema, a schema that names a key the
 * server keeps for itself: ConfigInvalid naming the section and the package.
 */
export function locateDialectPackage(section: string, name: unknown, fromDirs: readonly string[]): DialectPackage {
  if (!SECTION_NAME.test(section)) throw new ConfigInvalid(`${JSON.stringify(section)}: a dialect package's section is named in lower-case letters, digits and "-"`)
  if (typeof name !== 'string' || !PACKAGE_NAME.test(name) || name.length > 214) throw new ConfigInvalid(`${section}.${PACKAGE_KEY}: must be an npm package name`)
  const where = `${section}: the package ${name}`
  for (const dir of fromDirs) {
    const require = createRequire(join(dir, 'noop.js'))
    let entry: string
    try {
      entry = require.resolve(name)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'MODULE_NOT_FOUND') continue
      throw new ConfigInvalid(`${where} has no main entry Node can load (${code ?? 'unresolvable'}): export "." with a "default" condition`)
    }
    let schemaFile: string
    try {
      schemaFile = require.resolve(`${name}/options-schema.json`)
    } catch {
      throw new ConfigInvalid(`${where} exports no ./options-schema.json (its options' JSON Schema): is it a polytoken dialect package?`)
    }
    return { name, entry, optionsSchema: readOptionsSchema(where, schemaFile) }
  }
  throw new ConfigInvalid(`${where} is not installed (looked from ${fromDirs.join(' and ')}): npm install ${name}`)
}

function readOptionsSchema(where: string, file: string): JsonSchema {
  let schema: unknown
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new ConfigInvalid(`${where}: its options-schema.json is not readable JSON`)
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || (schema as JsonSchema).type !== 'object') {
    throw new ConfigInvalid(`${where}: its options-schema.json must describe an object ("type": "object")`)
  }
  const properties = ((schema as JsonSchema).properties ?? {}) as Record<string, unknown>
  const taken = [PACKAGE_KEY, ...Object.keys(MOUNT_KEYS)].filter((key) => Object.hasOwn(properties, key))
  if (taken.length > 0) throw new ConfigInvalid(`${where}: its options schema defines ${taken.join(', ')}, which the server reads itself`)
  return schema as JsonSchema
}

/** The section without the keys the server reads: what the package's createDialect gets. */
export function packageOptions(section: Record<string, unknown>): Record<string, unknown> {
  const options = { ...section }
  for (const key of [PACKAGE_KEY, ...Object.keys(MOUNT_KEYS)]) delete options[key]
  return options
}

/** Import the package and build its dialect; it is mounted at the section's `prefix` (default: the root). */
export function packageMount(section: string, dialectPackage: DialectPackage): MountDialect {
  return async ({ config }) => {
    const where = `${section}: the package ${dialectPackage.name}`
    let module: Record<string, unknown>
    try {
      module = (await import(pathToFileURL(dialectPackage.entry).href)) as Record<string, unknown>
    } catch (error) {
      throw new ConfigInvalid(`${where} failed to load (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`)
    }
    const createDialect = module.createDialect
    if (typeof createDialect !== 'function') throw new ConfigInvalid(`${where} exports no dialect: its main entry must export a function createDialect(options)`)
    const dialect = (await (createDialect as (options: unknown) => unknown)(packageOptions(config))) as DialectDefinition
    if (typeof dialect !== 'object' || dialect === null || typeof dialect.name !== 'string' || typeof dialect.setup !== 'function') {
      throw new ConfigInvalid(`${where}: createDialect(options) returned no dialect (defineDialect's result)`)
    }
    const prefix = typeof config.prefix === 'string' ? config.prefix : ''
    return { prefix, dialect, notes: [`from the package ${dialectPackage.name}`] }
  }
}
