import type { FromSchema, JSONSchema } from 'json-schema-to-ts'

/**
 * The type of a route's validated input, read from the route's own JSON Schemas, so a handler needs no cast.
 *
 * Why json-schema-to-ts rather than TypeBox: the schemas stay the plain JSON Schema literals that ajv compiles, that
 * /openapi.json publishes and that dialects already wrote; nothing changes at run time (the import is type-only) and
 * a dialect author needs no schema builder. TypeBox would have meant rewriting every schema with its builders and a
 * run-time dependency for the same ajv validation.
 *
 * Accurate to what ajv guarantees after validation (packages/core/src/validation/validator.ts):
 * - forms, multipart fields and query strings are coerced to the schema's types (`coerceTypes: 'array'`), so the
 *   schema's type is the value's type: `{ type: 'integer' }` arrives as a number, a lone value where the schema wants
 *   an array as a one-item array;
 * - `useDefaults: true` fills in a property's `default`, so a defaulted property is present
 *   (keepDefaultedPropertiesOptional: false);
 * - `required` properties are present, the others optional; without `additionalProperties: false` the object may
 *   carry other keys, typed `unknown`;
 * - `format` is checked but the value stays a string (deserialize: false); `not` and if/then/else are not read, which
 *   leaves the type wider than the check, never narrower.
 */
type Options = { parseNotKeyword: false; parseIfThenElseKeywords: false; keepDefaultedPropertiesOptional: false; references: false; deserialize: false }

/**
 * A schema declared as a literal (inline in defineRoute, or `as const`) gives its type; one typed only as JsonSchema
 * (`Record<string, unknown>`) says nothing about its shape, and gives `Wide`.
 */
export type SchemaType<S, Wide = unknown> = string extends keyof S ? Wide : S extends JSONSchema ? FromSchema<S, Options> : Wide

/** The input a handler receives for a route schema `S`; without a schema, the untyped RouteInput shape. */
export interface TypedRouteInput<S> {
  /** Validated by the parser's compiler for the request's body type (JSON as sent; forms coerced). */
  body: S extends { body: infer B } ? SchemaType<B> : unknown
  query: S extends { query: infer Q } ? SchemaType<Q, Record<string, unknown>> : Record<string, unknown>
  params: S extends { params: infer P } ? SchemaType<P, Record<string, unknown>> : Record<string, unknown>
}
