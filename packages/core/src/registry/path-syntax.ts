/**
 * Express 5 (path-to-regexp 8) path syntax, checked without Express: literal segments, `:name` parameters, `*name`
 * wildcards and `{...}` optional groups. Express 4 patterns that v5 rejects (`?`, `+`, `(`, `)`, a bare `*`) are
 * refused here, at registration.
 */
const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*/

export function checkPathSyntax(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"'
  let depth = 0
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!
    if (char === ':' || char === '*') {
      const name = NAME.exec(path.slice(i + 1))
      if (!name) return `"${char}" at ${i} must be followed by a parameter name`
      i += name[0].length
    } else if (char === '{') {
      depth++
    } else if (char === '}') {
      if (--depth < 0) return `unbalanced "}" at ${i}`
    } else if ('()[]?+!'.includes(char)) {
      return `"${char}" at ${i} is not Express 5 path syntax (escape it or use {optional} groups)`
    } else if (char === '\\') {
      i++
    }
  }
  if (depth !== 0) return 'unbalanced "{"'
  return undefined
}

/** The same route shape whatever the parameter names: `/a/:x` and `/a/:y` collide. */
export function routeShape(method: string, path: string): string {
  const normalised = path
    .replace(/:[A-Za-z_$][A-Za-z0-9_$]*/g, ':')
    .replace(/\*[A-Za-z_$][A-Za-z0-9_$]*/g, '*')
    .replace(/\/+$/, '')
  return `${method.toUpperCase()} ${normalised || '/'}`
}

/** Join a mount prefix and a route path: `/api` + `/token/create`. */
export function joinPath(prefix: string, path: string): string {
  const left = prefix.replace(/\/+$/, '')
  return `${left}${path}` || '/'
}
