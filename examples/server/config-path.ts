/** How a key of the config file is written in a variable name and in a message. */

/** `maxTtlMs` → `MAX_TTL_MS`, `token-generator` → `TOKEN_GENERATOR`: the documented spelling. */
export function envName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase()
}

/** `maxTtlMs` → `MAXTTLMS`: the key only upper-cased, accepted too. */
export function plainEnvName(key: string): string {
  return key.replace(/-/g, '_').toUpperCase()
}

/** `zazz.clients[1].secret`, `sagrada.nodes["http://localhost:8000"]`: as the schema's own messages name a path. */
export function configPath(path: readonly string[]): string {
  let text = ''
  for (const key of path) {
    if (/^\d+$/.test(key)) text += `[${key}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(key)}]`
  }
  return text
}
