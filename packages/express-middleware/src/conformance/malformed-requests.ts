import type { BodyType, CompiledRoute } from '@polytoken/core'

/** One hostile or broken request, and how strict the kit is about its answer. */
export interface MalformedCase {
  name: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
  /** `4xx`: must be a client error; `no-5xx`: any status below 500 will do (e.g. a route that needs nothing). */
  expect: '4xx' | 'no-5xx'
}

const BOUNDARY = 'polytoken-conformance'

/** Fill path parameters with a harmless value so the route matches. */
export function samplePath(fullPath: string, value = 'x', params: Record<string, string> = {}): string {
  return fullPath.replace(/[:*]([A-Za-z_$][A-Za-z0-9_$]*)/g, (_match, name: string) => params[name] ?? value).replace(/[{}]/g, '')
}

function multipart(parts: string[]): string {
  return parts.map((part) => `--${BOUNDARY}\r\n${part}\r\n`).join('') + `--${BOUNDARY}--\r\n`
}

/** What a valid client would send to get past authentication, so the table also reaches the handler. */
export interface Credentials {
  headers?: Record<string, string>
  /** Body fields (a form secret, say) added to every object, form and multipart body. */
  fields?: Record<string, string>
  /** Path parameters that name something that exists (`{ app_name: 'sync' }`), so the table reaches past a 404. */
  params?: Record<string, string>
}

/** The table: everything a client can get wrong about one route. */
export function malformedCases(route: CompiledRoute, credentials: Credentials = {}): MalformedCase[] {
  const path = samplePath(route.fullPath, 'x', credentials.params)
  const method = route.method
  const authenticated = credentials.headers !== undefined || credentials.fields !== undefined || credentials.params !== undefined
  const needsAuth = route.requiresCredential && !authenticated
  const fields = credentials.fields ?? {}
  const formFields = Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}&`)
    .join('')
  const jsonWith = (value: Record<string, unknown>) => JSON.stringify({ ...value, ...fields })
  const multipartFields = Object.entries(fields).map(([k, v]) => `Content-Disposition: form-data; name="${k}"\r\n\r\n${v}`)
  const cases: MalformedCase[] = []
  const add = (name: string, headers: Record<string, string>, body: string | Buffer | undefined, expect: MalformedCase['expect']) =>
    cases.push({ name, method, path, headers: { ...credentials.headers, ...headers }, ...(body === undefined ? {} : { body }), expect })

  const garbageAuth: Array<[string, string]> = [
    ['wrong auth scheme', 'Foo bar'],
    ['empty Bearer', 'Bearer '],
    ['Bearer garbage', 'Bearer !!!not-a-token!!!'],
    ['Bearer with three empty parts', 'Bearer ..'],
    ['Basic not base64', 'Basic %%%%'],
    ['Basic without colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['empty Token', 'Token token='],
    ['huge Authorization header', `Bearer ${'a'.repeat(8000)}`],
    ['BrowserID garbage', 'BrowserID a~b~c'],
  ]
  if (!authenticated) for (const [name, value] of garbageAuth) add(name, { authorization: value }, undefined, needsAuth ? '4xx' : 'no-5xx')
  add('junk query string', {}, undefined, 'no-5xx')
  cases[cases.length - 1]!.path += '?a[b]=c&%zz=1&scope=&scope=::::&&=&service=' + encodeURIComponent('\u0000')
  cases.push({ name: 'broken %-escape in the path', method, path: samplePath(route.fullPath, '%zz'), headers: { ...credentials.headers }, expect: route.fullPath.includes(':') ? '4xx' : 'no-5xx' })

  if (route.accepts.length === 0) return cases
  const accepts = (type: BodyType) => route.accepts.includes(type)
  add('wrong content type', { 'content-type': 'text/plain' }, 'hello', '4xx')
  add('content type with a foreign charset', { 'content-type': `${accepts('json') ? 'application/json' : 'application/x-www-form-urlencoded'}; charset=utf-16` }, 'a', '4xx')
  add('oversized body', { 'content-type': accepts('json') ? 'application/json' : 'application/x-www-form-urlencoded' }, Buffer.alloc(route.limits.bytes + 1, 'a'), '4xx')
  add('empty body', { 'content-type': accepts('json') ? 'application/json' : 'application/x-www-form-urlencoded' }, '', 'no-5xx')
  if (accepts('json')) add('only the credentials, nothing else', { 'content-type': 'application/json' }, jsonWith({}), 'no-5xx')
  if (accepts('json')) {
    add('broken JSON', { 'content-type': 'application/json' }, '{"a":', '4xx')
    add('JSON array', { 'content-type': 'application/json' }, '[1,2,3]', needsAuth ? '4xx' : 'no-5xx')
    add('JSON string', { 'content-type': 'application/json' }, '"x"', needsAuth ? '4xx' : 'no-5xx')
    add('JSON null', { 'content-type': 'application/json' }, 'null', needsAuth ? '4xx' : 'no-5xx')
    add(
      'JSON prototype pollution',
      { 'content-type': 'application/json' },
      jsonWith({}).replace(/^\{/, '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}' + (Object.keys(fields).length ? ',' : '')),
      'no-5xx',
    )
    add('deeply nested JSON', { 'content-type': 'application/json' }, '['.repeat(5000) + ']'.repeat(5000), 'no-5xx')
    add('JSON with too many fields', { 'content-type': 'application/json' }, JSON.stringify(Object.fromEntries(Array.from({ length: route.limits.fields + 1 }, (_, i) => [`f${i}`, 'v']))), '4xx')
    add(
      'JSON with wrong types',
      { 'content-type': 'application/json' },
      JSON.stringify({ ...fields, scope: 1, service: [], name: {}, grant_type: true, permission: 7, account: false, username: 1, password: [] }),
      needsAuth ? '4xx' : 'no-5xx',
    )
  }
  if (accepts('urlencoded')) {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    add('broken %-escape in a form', form, formFields + 'a=%zz&b=%', '4xx')
    add('form with too many fields', form, Array.from({ length: route.limits.fields + 1 }, (_, i) => `f${i}=v`).join('&'), '4xx')
    add('form with an oversized field', form, `a=${'x'.repeat(route.limits.fieldBytes + 1)}`, '4xx')
    add('form with __proto__', form, formFields + '__proto__=x&constructor=y', '4xx')
    add('form with repeated scalar fields', form, formFields + 'grant_type=a&grant_type=b&name=a&name=b&service=a&service=b&username=a&username=b', needsAuth ? '4xx' : 'no-5xx')
    add('form with odd values', form, formFields + 'scope=%00%ff&service=' + 'x'.repeat(2000) + '&refresh_token=&permission=%7B', 'no-5xx')
  }
  if (accepts('multipart')) {
    const type = `multipart/form-data; boundary=${BOUNDARY}`
    add('multipart without a boundary', { 'content-type': 'multipart/form-data' }, 'x', '4xx')
    add('truncated multipart', { 'content-type': type }, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`, '4xx')
    add('multipart garbage', { 'content-type': type }, 'this is not multipart at all', '4xx')
    add(
      'multipart with a file',
      { 'content-type': type },
      multipart([...multipartFields, 'Content-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello']),
      '4xx',
    )
    add('multipart with too many parts', { 'content-type': type }, multipart(Array.from({ length: route.limits.parts + 1 }, (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\nv`)), '4xx')
    add(
      'multipart with repeated scalar fields',
      { 'content-type': type },
      multipart([...multipartFields, 'Content-Disposition: form-data; name="name"\r\n\r\na', 'Content-Disposition: form-data; name="name"\r\n\r\nb']),
      needsAuth ? '4xx' : 'no-5xx',
    )
    add(
      'multipart with an oversized field',
      { 'content-type': type },
      multipart([...multipartFields, `Content-Disposition: form-data; name="a"\r\n\r\n${'x'.repeat(route.limits.fieldBytes + 1)}`]),
      '4xx',
    )
  }
  return cases
}
