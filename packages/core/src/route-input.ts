import type { FromSchema, JSONSchema } from 'json-schema-to-ts'

/**
 * A route's validated input typed from its own JSON Schemas (type-only: ajv validates the same schemas; why not
 * TypeBox: docs/writing-a-dialect.md#typed-input). Options as ajv behaves (validation/validator.ts): forms and query
 * strings are coerced to the schema's types, so the schema's type is the value's; `useDefaults` fills a `default` in
 * (not optional); formats stay strings; `not` and if/then/else are not read (a wider type, never a narrower one).
 */
type Options = { parseNotKeyword: false; parseIfThenElseKeywords: false; keepDefaultedPropertiesOptional: false; references: false; deserialize: false }

/** A literal schema (inline in defineRoute, or `as const`) gives its type; one typed only as JsonSchema, `Wide`. */
export type SchemaType<S, Wide = unknown> = string extends keyof S ? Wide : S extends JSONSchema ? FromSchema<S, Options> : Wide

/** What a handler receives for a route schema `S`; without a schema, the untyped RouteInput shape. */
export interface TypedRouteInput<S> {
  body: S extends { body: infer B } ? SchemaType<B> : unknown
  query: S extends { query: infer Q } ? SchemaType<Q, Record<string, unknown>> : Record<string, unknown>
  params: S extends { params: infer P } ? SchemaType<P, Record<string, unknown>> : Record<string, unknown>
}
