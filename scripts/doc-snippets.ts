/**
 * The TypeScript examples of the docs, as files the type checker can read:
 * every ```ts block of README.md, docs/ and the packages' READMEs. A block
 * whose info string says `ts fragment` is a piece of a larger example and is
 * left out. test/docs/snippets.test.ts type-checks the rest against the
 * packages' public exports, so an example cannot fall behind the API.
 */
import { readFileSync } from 'node:fs'
import { markdownFiles, root } from './build-docs.js'
import { join } from 'node:path'

export interface Snippet {
  /** Where the block starts: `docs/mounting.md:12`. */
  where: string
  code: string
}

export function docSnippets(base = root): Snippet[] {
  const snippets: Snippet[] = []
  for (const file of markdownFiles(base)) {
    const lines = readFileSync(join(base, file), 'utf8').split('\n')
    for (let index = 0; index < lines.length; index++) {
      if (lines[index]!.trim() !== '```ts') continue
      const end = lines.findIndex((line, at) => at > index && line.trim() === '```')
      if (end === -1) break
      snippets.push({ where: `${file}:${index + 1}`, code: lines.slice(index + 1, end).join('\n') })
      index = end
    }
  }
  return snippets
}
