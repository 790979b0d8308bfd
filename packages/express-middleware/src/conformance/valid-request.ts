import type { BodyType, CompiledRoute } from '@polytoken/core'
import { samplePath, type Credentials, type MalformedCase } from './malformed-requests.js'

/**
 * A request the route answers with success: its credentials, body, query and path parameters. The kit sends it as
 * is (it must succeed, so the handler is reached), then changes one thing at a time from it.
 */
export interface ValidRequest extends Credentials {
  /** The body, as an object; sent as `bodyType`. */
  body?: Record<string, unknown>
  /** How to send the body. Default: JSON when the route accepts it, else its first body type. */
  bodyType?: BodyType
  /** Query parameters. */
  query?: Record<string, string>
  /** The status the request gets. Default: any 2xx. */
  status?: number
}

/** One change to a valid request, applied to a fresh one each time (a request may consume what it names). */
export interface Mutation {
  name: string
  expect: MalformedCase['expect']
  apply(valid: ValidRequest): ValidRequest
}

const BOUNDARY = 'polytoken-conformance-valid'
const EXTRA = 'polytokenConformanceExtra'

/** The valid request as the HTTP request the kit sends. */
export function toCase(route: CompiledRoute, name: string, valid: ValidRequest, expect: MalformedCase['expect']): MalformedCase {
  const query = new URLSearchParams(valid.query ?? {}).toString()
  const path = samplePath(route.fullPath, 'x', valid.params) + (query ? `?${query}` : '')
  const headers: Record<string, string> = { ...valid.headers }
  const body = { ...valid.body, ...valid.fields }
  const hasBody = valid.body !== undefined || valid.fields !== undefined
  if (!hasBody || route.accepts.length === 0) return { name, method: route.method, path, headers, expect }
  const type = valid.bodyType ?? (route.accepts.includes('json') ? 'json' : route.accepts[0]!)
  if (type === 'json') return { name, method: route.method, path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), expect }
  const pairs = Object.entries(body).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((item): [string, string] => [key, formValue(item)]))
  if (type === 'urlencoded') {
    return { name, method: route.method, path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(pairs).toString(), expect }
  }
  const parts = pairs.map(([key, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`).join('')
  return { name, method: route.method, path, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers }, body: `${parts}--${BOUNDARY}--\r\n`, expect }
}

function formValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Values of every other JSON type, plus the strings that trip parsers: what a client can put in place of a field. */
function wrongValues(value: unknown, fieldBytes: number): Array<[string, unknown]> {
  const candidates: Array<[string, unknown]> = [
    ['a number', 7],
    ['a negative float', -1.5],
    ['a string', 'conformance'],
    ['an empty string', ''],
    ['true', true],
    ['null', null],
    ['an empty array', []],
    ['an array of it', [value]],
    ['an object', { value }],
    ['a long string', 'x'.repeat(Math.max(1, Math.min(fieldBytes - 1, 4096)))],
    ['control and lone-surrogate characters', '\u0000\u001f\ud800'],
  ]
  return candidates.filter(([, candidate]) => typeOf(candidate) !== typeOf(value) || (typeof value === 'string' && candidate !== value))
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

function without<T extends Record<string, unknown>>(record: T | undefined, key: string): T | undefined {
  if (!record) return record
  const copy = { ...record }
  delete copy[key]
  return copy
}

/**
 * Everything the kit changes in a valid request, one thing at a time. `sample` is one valid request, read for its
 * shape (which fields, headers, parameters there are); each mutation is then applied to a fresh one.
 */
export function mutations(route: CompiledRoute, sample: ValidRequest): Mutation[] {
  const list: Mutation[] = []
  const add = (name: string, expect: Mutation['expect'], apply: Mutation['apply']) => list.push({ name, expect, apply })
  const bodySchema = route.route.schema?.body
  const required = new Set(Array.isArray(bodySchema?.required) ? (bodySchema.required as string[]) : [])
  const closed = bodySchema?.additionalProperties === false

  if (sample.body !== undefined && route.accepts.length > 0) {
    for (const [field, value] of Object.entries(sample.body)) {
      add(`without the field ${field}`, required.has(field) ? '4xx' : 'no-5xx', (valid) => ({ ...valid, body: without(valid.body, field)! }))
      for (const [what, wrong] of wrongValues(value, route.limits.fieldBytes)) {
        add(`the field ${field} as ${what}`, 'no-5xx', (valid) => ({ ...valid, body: { ...valid.body, [field]: wrong } }))
      }
    }
    add('with an extra field', closed ? '4xx' : 'no-5xx', (valid) => ({ ...valid, body: { ...valid.body, [EXTRA]: 'x' } }))
    add('with an extra field holding an object', closed ? '4xx' : 'no-5xx', (valid) => ({ ...valid, body: { ...valid.body, [EXTRA]: { nested: [1, { deep: null }] } } }))
    add('with an empty body', required.size > 0 ? '4xx' : 'no-5xx', (valid) => ({ ...valid, body: {} }))
    for (const type of route.accepts) {
      if (type !== (sample.bodyType ?? (route.accepts.includes('json') ? 'json' : route.accepts[0]))) add(`sent as ${type}`, 'no-5xx', (valid) => ({ ...valid, bodyType: type }))
    }
  }
  for (const name of Object.keys(sample.query ?? {})) {
    add(`without the query parameter ${name}`, 'no-5xx', (valid) => ({ ...valid, query: without(valid.query, name)! }))
    for (const [what, wrong] of [
      ['empty', ''],
      ['long', 'x'.repeat(4096)],
      ['odd characters', '\u0000\u00ff::'],
    ] as const) {
      add(`the query parameter ${name} ${what}`, 'no-5xx', (valid) => ({ ...valid, query: { ...valid.query, [name]: wrong } }))
    }
  }
  if (sample.query || route.route.schema?.query) add('with an extra query parameter', 'no-5xx', (valid) => ({ ...valid, query: { ...valid.query, [EXTRA]: 'x' } }))
  for (const name of Object.keys(sample.params ?? {})) {
    for (const [what, wrong] of [
      ['that names nothing', 'polytoken-conformance-missing'],
      ['with odd characters', '..%2F..%2F%00'],
      ['long', 'x'.repeat(2048)],
    ] as const) {
      add(`the path parameter ${name} ${what}`, 'no-5xx', (valid) => ({ ...valid, params: { ...valid.params, [name]: wrong } }))
    }
  }
  // Credentials last: a dialect that counts failed logins may lock the account, and the rest should still reach the handler.
  for (const name of Object.keys(sample.headers ?? {})) {
    const credential = name.toLowerCase() === 'authorization'
    add(`without the ${name} header`, credential && route.requiresCredential ? '4xx' : 'no-5xx', (valid) => ({ ...valid, headers: without(valid.headers, name)! }))
    add(`the ${name} header with one character changed`, credential && route.requiresCredential ? '4xx' : 'no-5xx', (valid) => ({
      ...valid,
      headers: { ...valid.headers, [name]: changeOneCharacter(valid.headers?.[name] ?? '') },
    }))
  }
  for (const name of Object.keys(sample.fields ?? {})) {
    add(`without the credential field ${name}`, '4xx', (valid) => ({ ...valid, fields: without(valid.fields, name)! }))
    add(`the credential field ${name} with one character changed`, '4xx', (valid) => ({ ...valid, fields: { ...valid.fields, [name]: changeOneCharacter(valid.fields?.[name] ?? '') } }))
  }
  return list
}

/** The same length, one character in the middle replaced: the credential still parses but is no longer the right one. */
function changeOneCharacter(value: string): string {
  if (value.length === 0) return 'x'
  const at = Math.floor(value.length * 0.75)
  const replacement = value[at] === 'A' ? 'B' : 'A'
  return value.slice(0, at) + replacement + value.slice(at + 1)
}
