/**
 * Globs for policy rules: `*` is any run of characters without `/`, `**` any
 * run at all; `${account}` and `${service}` are replaced, literally, by the
 * caller's values. Patterns are parsed once at start-up.
 *
 * A requested name may itself hold wildcards (crew.md's `genedna/*`). It is
 * granted only when the rule covers every name the request could mean: a
 * requested `*` is matched only by a rule's `*` or `**`, a requested `**`
 * only by `**`, never by literal characters.
 */

const STAR = -1
const GLOBSTAR = -2
const SLASH = 0x2f

type Piece = { kind: 'text'; codes: number[] } | { kind: 'var'; name: GlobVariable }

export type GlobVariable = 'account' | 'service'
export type GlobValues = Partial<Record<GlobVariable, string>>

export interface Glob {
  readonly source: string
  /** The variables the pattern uses: it never matches when one of them is missing. */
  readonly variables: readonly GlobVariable[]
  /** `subject` is a name whose `*` and `**` are wildcards (wildcards: true) or plain characters. */
  matches(subject: string, values: GlobValues, wildcards?: boolean): boolean
}

const VARIABLE = /\$\{([^}]*)\}/g

export function compileGlob(source: string): Glob {
  const pieces: Piece[] = []
  const variables: GlobVariable[] = []
  let last = 0
  for (const match of source.matchAll(VARIABLE)) {
    const name = match[1]
    if (name !== 'account' && name !== 'service') throw new TypeError(`unknown placeholder \${${name}} (use \${account} or \${service})`)
    if (match.index > last) pieces.push({ kind: 'text', codes: patternCodes(source.slice(last, match.index)) })
    pieces.push({ kind: 'var', name })
    if (!variables.includes(name)) variables.push(name)
    last = match.index + match[0].length
  }
  if (last < source.length) pieces.push({ kind: 'text', codes: patternCodes(source.slice(last)) })
  if (source.includes('${') && pieces.every((piece) => piece.kind === 'text')) throw new TypeError('unterminated placeholder')

  const literal = pieces.length === 1 && pieces[0]!.kind === 'text' && !pieces[0]!.codes.some((code) => code < 0)
  const fixed = variables.length === 0 ? pieces.flatMap((piece) => (piece.kind === 'text' ? piece.codes : [])) : undefined

  return {
    source,
    variables,
    matches(subject, values, wildcards = false) {
      // No wildcard in the rule: a plain comparison (a requested wildcard can never equal it).
      if (literal) return subject === source
      let pattern = fixed
      if (!pattern) {
        pattern = []
        for (const piece of pieces) {
          if (piece.kind === 'text') pattern.push(...piece.codes)
          else {
            const value = values[piece.name]
            if (value === undefined || value === '') return false
            for (let i = 0; i < value.length; i++) pattern.push(value.charCodeAt(i))
          }
        }
      }
      return matchCodes(pattern, subjectCodes(subject, wildcards))
    },
  }
}

function patternCodes(text: string): number[] {
  const codes: number[] = []
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '*') {
      if (text[i + 1] === '*') {
        codes.push(GLOBSTAR)
        i++
      } else codes.push(STAR)
    } else codes.push(text.charCodeAt(i))
  }
  return codes
}

function subjectCodes(text: string, wildcards: boolean): number[] {
  if (!wildcards) {
    const codes = new Array<number>(text.length)
    for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i)
    return codes
  }
  return patternCodes(text)
}

/** Dynamic programming over the subject: O(pattern × subject), no backtracking blow-up. */
function matchCodes(pattern: number[], subject: number[]): boolean {
  const n = subject.length
  let row = new Array<boolean>(n + 1).fill(false)
  row[0] = true
  for (const token of pattern) {
    const next = new Array<boolean>(n + 1).fill(false)
    if (token === GLOBSTAR) {
      next[0] = row[0]!
      for (let j = 1; j <= n; j++) next[j] = row[j]! || next[j - 1]!
    } else if (token === STAR) {
      next[0] = row[0]!
      for (let j = 1; j <= n; j++) {
        const code = subject[j - 1]!
        next[j] = row[j]! || (next[j - 1]! && code !== SLASH && code !== GLOBSTAR)
      }
    } else {
      for (let j = 1; j <= n; j++) next[j] = row[j - 1]! && subject[j - 1] === token
    }
    row = next
  }
  return row[n]!
}
