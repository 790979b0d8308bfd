/**
 * operationIds that code generators take as method names: `[A-Za-z0-9_]` only, the dialect first, then the method
 * and the path in camelCase (`github-pats` DELETE `/pats/:id` → `githubPats_deletePatsId`), unique within the document.
 */
export function createOperationIds(): (dialect: string, method: string, path: string) => string {
  const used = new Set<string>()
  return (dialect, method, path) => {
    const words = path
      .replace(/[{}]/g, '')
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
    const base = `${camel(dialect.split(/[^A-Za-z0-9]+/).filter(Boolean))}_${method.toLowerCase()}${words.length ? words.map(capital).join('') : 'Root'}`
    // Two paths that differ only in punctuation (`/a-b` and `/a_b`) would meet: number the later one.
    const safe = /^[A-Za-z_]/.test(base) ? base : `_${base}`
    let id = safe
    for (let n = 2; used.has(id); n++) id = `${safe}_${n}`
    used.add(id)
    return id
  }
}

function camel(words: string[]): string {
  return words.map((word, index) => (index === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : capital(word))).join('')
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}
