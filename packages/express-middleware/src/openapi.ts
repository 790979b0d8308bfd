import type { CompiledRoute, JsonSchema, RouteExample } from '@polytoken/core'
import { errorResponses } from './openapi-errors.js'
import { createOperationIds } from './openapi-operation-id.js'
import { CONTENT_TYPES, bodyExamples, formEncoding, parameterExamples, withFieldExamples } from './openapi-examples.js'

/** `:name` and `*name` in Express 5's path syntax. */
const PATH_PARAMETER = /[:*]([A-Za-z_$][A-Za-z0-9_$]*)/g

/** OpenAPI 3.1 of every mounted route, from the dialects' own schemas, auth methods and responses. */
export function buildOpenApi(routes: readonly CompiledRoute[], title: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const securitySchemes: Record<string, unknown> = {}
  const schemas: Record<string, JsonSchema> = {}
  const operationId = createOperationIds()

  for (const compiled of routes) {
    const { dialect: definition, route, fullPath } = compiled
    const dialect = definition.name
    const errorRef = `${dialect}.Error`
    schemas[errorRef] = definition.errorSchema
    const security: Record<string, string[]>[] = []
    for (const method of route.auth ?? []) {
      if (method.kind === 'anonymous') security.push({})
      else if (method.doc && (method.doc as { in?: string }).in !== 'body') {
        const name = `${dialect}.${method.kind}`
        securitySchemes[name] = method.doc
        security.push({ [name]: [] })
      }
    }
    const examples = route.examples ?? []
    const parameters = [...schemaParameters(withPathNames(route.schema?.params, fullPath), 'path', examples), ...schemaParameters(route.schema?.query, 'query', examples)]
    const responses: Record<string, unknown> = {}
    for (const [status, doc] of Object.entries(route.responses ?? {})) {
      responses[status] = {
        description: doc.description,
        ...(doc.schema || doc.contentType ? { content: { [doc.contentType ?? 'application/json']: { schema: doc.schema ?? {} } } } : {}),
      }
    }
    // What the dialect documents itself wins over what is derived.
    for (const [status, doc] of Object.entries(errorResponses(compiled, errorRef))) responses[status] ??= doc
    responses.default = {
      description: `Any other error, in the ${dialect} envelope`,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${errorRef}` } } },
    }
    const operation: Record<string, unknown> = {
      operationId: operationId(dialect, route.method, route.path),
      tags: [dialect],
      summary: route.summary ?? `${route.method} ${route.path}`,
      parameters,
      responses,
    }
    if (security.length > 0) operation.security = security
    if ((route.accepts ?? []).length > 0) {
      operation.requestBody = {
        required: true,
        content: Object.fromEntries(
          (route.accepts ?? []).map((type) => {
            const examplesOfType = bodyExamples(examples, type)
            const schema = withFieldExamples(route.schema?.body ?? {}, examplesOfType, type)
            const encoding = formEncoding(schema, type)
            return [CONTENT_TYPES[type], { schema, ...(examplesOfType ? { examples: examplesOfType } : {}), ...(encoding ? { encoding } : {}) }]
          }),
        ),
      }
    }
    // Express 5's optional-segment braces go first, so the braces of `{param}` survive.
    const openapiPath = fullPath.replace(/[{}]/g, '').replace(PATH_PARAMETER, '{$1}')
    const item = (paths[openapiPath] ??= {})
    const method = route.method.toLowerCase()
    const existing = item[method] as Record<string, unknown> | undefined
    if (existing) {
      // Several dialects share this method and path, told apart by Authorization scheme.
      existing.security = [...((existing.security as unknown[]) ?? []), ...security]
      existing['x-polytoken-dispatch'] = [...((existing['x-polytoken-dispatch'] as unknown[]) ?? []), operation]
    } else {
      item[method] = operation
    }
  }
  return {
    openapi: '3.1.0',
    info: { title, version: '1.0.0' },
    paths,
    components: { schemas, securitySchemes },
  }
}

/**
 * Every parameter of the path is a Path Parameter Object (OpenAPI requires one per template name; the docs page
 * needs it to fill the URL in): those the route's schema leaves out are plain strings.
 */
function withPathNames(schema: JsonSchema | undefined, fullPath: string): JsonSchema | undefined {
  const names = [...fullPath.matchAll(PATH_PARAMETER)].map((match) => match[1]!)
  const properties = { ...((schema?.properties ?? {}) as Record<string, JsonSchema>) }
  for (const name of names) properties[name] ??= { type: 'string' }
  return names.length === 0 && schema === undefined ? undefined : { ...schema, properties }
}

function schemaParameters(schema: JsonSchema | undefined, where: 'path' | 'query', examples: readonly RouteExample[]): unknown[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((schema?.required ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => {
    const examplesOfParameter = parameterExamples(examples, where === 'path' ? 'params' : 'query', name)
    return { name, in: where, required: where === 'path' || required.has(name), schema: property, ...(examplesOfParameter ? { examples: examplesOfParameter } : {}) }
  })
}
