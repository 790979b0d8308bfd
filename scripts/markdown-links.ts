/**
 * Checks the relative links of Markdown pages: the file (or folder) each points to must
 * exist, and a `#fragment` into a Markdown page must name one of its headings (GitHub's
 * anchors) or an explicit `<a id>`/`<a name>`. Links to other sites are not fetched.
 */
import { readFileSync, existsSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'

export interface BrokenLink {
  file: string // relative to the root
  line: number
  target: string
  reason: string
}

const FENCE = /^\s*(```|~~~)/

/** Markdown without its code: fenced blocks become empty lines, inline code spans blanks (line numbers stay). */
function withoutCode(markdown: string): string[] {
  let fenced = false
  return markdown.split('\n').map((line) => {
    if (FENCE.test(line)) {
      fenced = !fenced
      return ''
    }
    return fenced ? '' : line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length))
  })
}

/** The link targets of a page, with their line numbers: inline links and images, and reference definitions. */
export function linkTargets(markdown: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = []
  withoutCode(markdown).forEach((text, index) => {
    for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ line: index + 1, target: match[1]! })
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text)
    if (definition) found.push({ line: index + 1, target: definition[1]! })
  })
  return found
}

/** GitHub's anchor for a heading: its text, lower-cased, without punctuation, spaces as hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link counts by its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '')
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a page offers: heading slugs (a repeated one gets -1, -2, ... as on GitHub) and explicit ids. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) fenced = !fenced
    if (fenced) continue
    const heading = /^#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
    if (heading) {
      const base = slug(heading[1]!)
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      result.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) result.add(match[1]!)
  }
  return result
}

/** The broken relative links of `files` (paths relative to `root`). */
export function brokenLinks(files: readonly string[], root: string): BrokenLink[] {
  const broken: BrokenLink[] = []
  const anchorCache = new Map<string, Set<string>>()
  const anchorsOf = (path: string): Set<string> => {
    let set = anchorCache.get(path)
    if (!set) anchorCache.set(path, (set = anchors(readFileSync(join(root, path), 'utf8'))))
    return set
  }
  for (const file of files) {
    for (const { line, target } of linkTargets(readFileSync(join(root, file), 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue // another site, mailto:, ...
      const hash = target.indexOf('#')
      const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash))
      const fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
      // GitHub resolves a leading / from the repository root.
      const path = pathPart === '' ? file : normalize(pathPart.startsWith('/') ? pathPart.slice(1) : join(dirname(file), pathPart))
      if (path.startsWith('..') || !existsSync(join(root, path))) {
        broken.push({ file, line, target, reason: `${path} does not exist` })
        continue
      }
      if (fragment === undefined || !path.endsWith('.md') || statSync(join(root, path)).isDirectory()) continue
      if (!anchorsOf(path).has(fragment)) broken.push({ file, line, target, reason: `${path} has no heading #${fragment}` })
    }
  }
  return broken
}
