import type { BodyType, JsonSchema, RouteExample } from '@polytoken/core'

export const CONTENT_TYPES: Record<BodyType, string> = { json: 'application/json', urlencoded: 'application/x-www-form-urlencoded', multipart: 'multipart/form-data' }

/** OpenAPI's Example Object: what the docs page offers in its picker and puts in "Try it out". */
interface ExampleObject {
  summary: string
  value: unknown
}

/** A route's examples of one parameter (`where` is 'params' or 'query'), as that Parameter Object's `examples`. */
export function parameterExamples(examples: readonly RouteExample[], where: 'params' | 'query', name: string): Record<string, ExampleObject> | undefined {
  const found = examples.flatMap((example) => {
    const values: Record<string, unknown> | undefined = example[where]
    return values && Object.hasOwn(values, name) ? [[example.name, { summary: example.summary, value: values[name] }] as const] : []
  })
  return found.length > 0 ? Object.fromEntries(found) : undefined
}

/** A route's example bodies sent as `type`, as that Media Type Object's `examples`. */
export function bodyExamples(examples: readonly RouteExample[], type: BodyType): Record<string, ExampleObject> | undefined {
  const found = examples.flatMap((example) => (example.body?.type === type ? [[example.name, { summary: example.summary, value: example.body.value }] as const] : []))
  return found.length > 0 ? Object.fromEntries(found) : undefined
}

/**
 * swagger-ui fills a form (urlencoded, multipart) in field by field from each property's schema, not from the media
 * type's `examples` (which it reads for JSON): so for a form type the first example's fields also become the
 * properties' `examples` (JSON Schema 2020-12), and "Try it out" starts from the document's request. A string or
 * array field the request leaves out starts empty: else swagger-ui makes one up from its pattern (a date like
 * 5434-71-02T57:72) and sends it.
 */
export function withFieldExamples(schema: JsonSchema, examples: Record<string, ExampleObject> | undefined, type: BodyType): JsonSchema {
  const first = examples ? Object.values(examples)[0]?.value : undefined
  if (type === 'json' || first === null || typeof first !== 'object' || Array.isArray(first)) return schema
  const properties = { ...((schema.properties ?? {}) as Record<string, JsonSchema>) }
  for (const [name, property] of Object.entries(properties)) {
    const given = (first as Record<string, unknown>)[name]
    const empty = property.type === 'string' ? '' : property.type === 'array' ? [] : undefined
    const example = given ?? empty
    if (example !== undefined) properties[name] = { ...property, examples: [example] }
  }
  return { ...schema, properties }
}

/**
 * An array field of a form goes as the field repeated (`-F permission=a -F permission=b`, as the API documents send
 * it), not as one comma-joined value: said in the media type's `encoding`, which swagger-ui follows.
 */
export function formEncoding(schema: JsonSchema, type: BodyType): Record<string, unknown> | undefined {
  if (type === 'json') return undefined
  const arrays = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).filter(([, property]) => property.type === 'array')
  return arrays.length > 0 ? Object.fromEntries(arrays.map(([name]) => [name, { style: 'form', explode: true }])) : undefined
}
