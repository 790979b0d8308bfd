import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv'
import { ConfigInvalid, type JsonSchema } from '@polytoken/core'

/**
 * `"x-code-only": "function"` marks an option only a program can pass (a
 * callback): JSON cannot hold it, so a config file never sets it, and the
 * options table says so.
 */
export const CODE_ONLY = 'x-code-only'

/**
 * Strict ajv for dialect options: unknown keywords in a schema are a bug,
 * types are never coerced. `useDefaults` fills the schema's defaults in.
 */
export function createOptionsAjv(useDefaults: boolean): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, coerceTypes: false, useDefaults })
  const isFunction: SchemaValidateFunction = (kind: string, data: unknown) => {
    if (typeof data === 'function') return true
    isFunction.errors = [{ keyword: CODE_ONLY, message: `must be a ${kind} (code only: not settable from JSON)`, params: { kind } }]
    return false
  }
  ajv.addKeyword({ keyword: CODE_ONLY, schemaType: 'string', errors: true, validate: isFunction })
  return ajv
}

const compilers = { fill: createOptionsAjv(true), check: createOptionsAjv(false) }
const compiled = { fill: new WeakMap<JsonSchema, ValidateFunction>(), check: new WeakMap<JsonSchema, ValidateFunction>() }

/**
 * Validate options against a schema and return a copy with the schema's
 * defaults filled in (the caller's object is not touched; `defaults: false`
 * leaves them out). Throws ConfigInvalid naming every bad path:
 * `crew.users.alice.password: must be a string`.
 */
export function validateOptions<T>(schema: JsonSchema, options: T, where: string, { defaults = true }: { defaults?: boolean } = {}): T {
  const mode = defaults ? 'fill' : 'check'
  let validate = compiled[mode].get(schema)
  if (!validate) {
    validate = compilers[mode].compile(schema)
    compiled[mode].set(schema, validate)
  }
  const copy = copyPlain(options)
  if (!validate(copy)) throw new ConfigInvalid(describeErrors(validate.errors ?? [], where))
  return copy
}

/** One line per problem, `path: what is wrong`, joined with `; `. Never quotes a value: it may be a secret. */
export function describeErrors(errors: readonly ErrorObject[], where: string): string {
  const lines: string[] = []
  for (const error of errors) {
    const line = `${pathOf(error, where)}: ${messageOf(error)}`
    if (!lines.includes(line)) lines.push(line)
  }
  return lines.length > 0 ? lines.join('; ') : `${where}: invalid`
}

function pathOf(error: ErrorObject, where: string): string {
  const segments =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') segments.push(params.missingProperty)
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') segments.push(params.additionalProperty)
  return joinPath(where, segments)
}

/** `zazz.clients[0].id`, `sagrada.nodes["https://a.example"]`: what the dialects' own messages look like. */
export function joinPath(where: string, segments: readonly string[]): string {
  let path = where
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += path === '' ? segment : `.${segment}`
    else path += `[${JSON.stringify(segment)}]`
  }
  return path
}

const ARTICLE: Record<string, string> = { string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean', object: 'an object', array: 'an array', null: 'null' }

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return 'is not an option (unknown key)'
    case 'type': {
      const types = String(params.type).split(',')
      return `must be ${types.map((type) => ARTICLE[type] ?? type).join(' or ')}`
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => String(value)).join(', ')}`
    default:
      return error.message ?? 'is invalid'
  }
}

/** Plain objects and arrays copied (defaults go into the copy); functions, buffers and key objects shared. */
function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => copyPlain(item)) as T
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    const out: Record<string, unknown> = {}
    // defineProperty: a "__proto__" key from JSON.parse stays a key, it does not become the prototype.
    for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key, { value: copyPlain(item), enumerable: true, writable: true, configurable: true })
    return out as T
  }
  return value
}
