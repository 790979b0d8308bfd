import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { root } from '../../scripts/build-docs.js'
import { docSnippets, type Snippet } from '../../scripts/doc-snippets.js'

/** Type-checks snippets as the repo's own files would be (same tsconfig, same packages); returns tsc's error lines. */
function typeCheck(snippets: Snippet[]): string[] {
  // Inside the repo, so '@polytoken/…' imports resolve through its node_modules as an app's would.
  const dir = join(root, `.doc-snippets-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  try {
    snippets.forEach((snippet, index) => writeFileSync(join(dir, `snippet-${index}.ts`), `// ${snippet.where}\nexport {}\n${snippet.code}\n`))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true }, include: ['*.ts'] }))
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
    return tsc.stdout
      .split('\n')
      .filter((line) => line.includes('error TS'))
      .map((line) => {
        const index = Number(/snippet-(\d+)\.ts/.exec(line)?.[1])
        return `${snippets[index]?.where ?? '?'}: ${line.replace(/^.*?error /, 'error ')}`
      })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('every complete TypeScript example of the README, docs/ and the package READMEs type-checks against the public API', () => {
  const snippets = docSnippets()
  assert.ok(snippets.length >= 10, `only ${snippets.length} examples found`)
  assert.ok(
    snippets.some((snippet) => snippet.where.startsWith('README.md:')),
    'the README mount example is checked',
  )
  assert.deepEqual(typeCheck(snippets), [])
})

test('an example that uses a name the packages do not export fails the check', () => {
  const broken = { where: 'fixture.md:1', code: "import { polytoken } from '@polytoken/express'\nimport { registerDialects } from '@polytoken/core'\nawait polytoken({ dialects: [], title: 1 })" }
  const errors = typeCheck([broken])
  assert.ok(
    errors.some((line) => line.includes('registerDialects')),
    errors.join('\n'),
  )
  assert.ok(
    errors.some((line) => line.includes("'title'") || line.includes('number')),
    errors.join('\n'),
  )
})
