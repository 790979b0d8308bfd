import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { RequestInvalid, type FieldReasons } from '../errors.js'
import type { JsonSchema } from '../dialect.js'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv

/**
 * Two compilers, both strict: JSON bodies are taken as typed; form fields, multipart fields and query strings arrive
 * as strings and are coerced (a single value where the schema wants an array becomes a one-item array).
 */
const strictJson = addFormats(new Ajv({ strict: true, allErrors: true, coerceTypes: false, useDefaults: true }))
const coercing = addFormats(new Ajv({ strict: true, allErrors: true, coerceTypes: 'array', useDefaults: true }))

export type InputValidator = (value: unknown) => unknown

/** Compile once at registration; throws ajv's own error when the schema is bad. */
export function compileValidator(schema: JsonSchema, mode: 'json' | 'coerce', location: 'body' | 'querystring' | 'url'): InputValidator {
  const validate: ValidateFunction = (mode === 'json' ? strictJson : coercing).compile(schema)
  return (value) => {
    if (validate(value)) return value
    throw new RequestInvalid(summarise(validate.errors ?? []), { reasons: toReasons(validate.errors ?? []), location })
  }
}

function fieldOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return params.missingProperty
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return params.additionalProperty
  const first = error.instancePath.split('/')[1]
  return first ? decodeURIComponent(first.replace(/~1/g, '/').replace(/~0/g, '~')) : '_'
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required'
  if (error.keyword === 'additionalProperties') return 'is not allowed'
  return error.message ?? 'is invalid'
}

export function toReasons(errors: ErrorObject[]): FieldReasons {
  // A Map, because field names come from the client: "constructor" or "__proto__" must stay plain keys.
  const reasons = new Map<string, string[]>()
  for (const error of errors) {
    const field = fieldOf(error)
    const list = reasons.get(field) ?? []
    const message = messageOf(error)
    if (!list.includes(message)) list.push(message)
    reasons.set(field, list)
  }
  return Object.fromEntries(reasons)
}

function summarise(errors: ErrorObject[]): string {
  const first = errors[0]
  if (!first) return 'input is invalid'
  return `${fieldOf(first)} ${messageOf(first)}`
}
