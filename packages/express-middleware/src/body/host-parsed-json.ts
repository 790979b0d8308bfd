import { RequestMalformed, RequestTooLarge, type BodyLimits } from '@polytoken/core'
import { checkTopLevelKeys } from './parse-json.js'

/**
 * A JSON body a host app's parser (express.json()) already turned into a
 * value: held to what the route's own parser would have let through. The
 * value must be one JSON.parse can make (plain objects, arrays, strings,
 * finite numbers, booleans, null: no prototype set by a parser that
 * assigned "__proto__", no Date from a reviver), with no more top-level keys
 * than the route allows. `size` is the body's length when the request
 * declared it (the bytes themselves are gone); without it (a chunked body)
 * the length of the value written back as JSON stands in for it. The walk
 * uses its own stack: a host's parser may have accepted nesting deeper than
 * this process's call stack.
 */
export function checkHostParsedJson(value: unknown, limits: BodyLimits, declaredBytes: number | undefined): unknown {
  if (declaredBytes !== undefined && declaredBytes > limits.bytes) throw tooLarge(limits)
  // Declared and within the limit: the value is small, walked whole for its types.
  const written = walk(value, declaredBytes === undefined ? limits.bytes : Infinity)
  if (declaredBytes === undefined && written > limits.bytes) throw tooLarge(limits)
  checkTopLevelKeys(value, limits)
  return value
}

/** Bytes of the value written as compact JSON (string escapes not counted); stops counting past `budget`. */
function walk(root: unknown, budget: number): number {
  let bytes = 0
  const pending: unknown[] = [root]
  while (pending.length > 0 && bytes <= budget) {
    const value = pending.pop()
    switch (typeof value) {
      case 'string':
        bytes += Buffer.byteLength(value) + 2
        continue
      case 'boolean':
        bytes += value ? 4 : 5
        continue
      case 'number':
        if (!Number.isFinite(value)) throw notJson()
        bytes += String(value).length
        continue
      case 'object':
        if (value === null) {
          bytes += 4
          continue
        }
        if (Array.isArray(value)) {
          if (Object.getPrototypeOf(value) !== Array.prototype) throw notJson()
          bytes += 1 + Math.max(1, value.length)
          for (const item of value) pending.push(item)
          continue
        }
        if (!isPlainObject(value)) throw notJson()
        bytes += 1
        for (const key of Object.keys(value)) {
          bytes += Buffer.byteLength(key) + 4
          pending.push((value as Record<string, unknown>)[key])
        }
        continue
      default:
        throw notJson()
    }
  }
  return bytes
}

function tooLarge(limits: BodyLimits): RequestTooLarge {
  return new RequestTooLarge(`body is over ${limits.bytes} bytes`, { location: 'body' })
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function notJson(): RequestMalformed {
  return new RequestMalformed('body is not a JSON value (the host app parsed it into something JSON.parse does not make)', { location: 'body' })
}
