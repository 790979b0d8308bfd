import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { markdownFiles, root } from '../../scripts/build-docs.js'
import { anchors, brokenLinks, slug } from '../../scripts/markdown-links.js'

test("every relative link of README.md, CHANGELOG.md, docs/ and the packages' READMEs points at a file and heading that exist", () => {
  const files = markdownFiles()
  assert.ok(files.includes('README.md') && files.includes('docs/security.md') && files.includes('packages/core/README.md'))
  const broken = brokenLinks(files, root)
  assert.deepEqual(
    broken.map((link) => `${link.file}:${link.line} ${link.target}: ${link.reason}`),
    [],
  )
})

test('the checker finds a missing file, a missing anchor and a link out of the tree; it passes good links and ignores code', () => {
  const base = mkdtempSync(join(tmpdir(), 'polytoken-links-'))
  try {
    mkdirSync(join(base, 'docs/sub'), { recursive: true })
    writeFileSync(join(base, 'docs/sub/page.md'), '# A page\n\n## Store URLs (`sqlite://`)\n\n## Store URLs (`sqlite://`)\n\n<a id="custom"></a>\n')
    writeFileSync(
      join(base, 'README.md'),
      [
        '[ok](docs/sub/page.md) [ok](docs/sub/page.md#store-urls-sqlite) [ok](docs/sub/page.md#store-urls-sqlite-1)',
        '[ok](docs/sub/page.md#custom) [ok](docs/sub) [ok](#title) [ok](/docs/sub/page.md) [ext](https://example.com/x.md#nope)',
        '# Title',
        '[missing file](docs/nope.md)',
        '[missing anchor](docs/sub/page.md#no-such-heading)',
        '`[in code](docs/nope2.md)`',
        '```',
        '[in a fence](docs/nope3.md)',
        '```',
        '[ref]: ../outside.md',
        '[self](#no-title-here)',
      ].join('\n'),
    )
    const broken = brokenLinks(['README.md', 'docs/sub/page.md'], base)
    assert.deepEqual(
      broken.map((link) => [link.line, link.target]),
      [
        [4, 'docs/nope.md'],
        [5, 'docs/sub/page.md#no-such-heading'],
        [10, '../outside.md'],
        [11, '#no-title-here'],
      ],
    )
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
})

test('anchors as GitHub makes them', () => {
  assert.equal(slug('Crew (`crew`)'), 'crew-crew')
  assert.equal(slug('Rotating a signing key with no failed request'), 'rotating-a-signing-key-with-no-failed-request')
  assert.equal(slug('Passwords: scrypt N=2^14, r=8, p=5 (16 MiB), and why'), 'passwords-scrypt-n214-r8-p5-16-mib-and-why')
  assert.equal(slug('Sagrada — Mozilla Token Server 1.0'), 'sagrada--mozilla-token-server-10')
  assert.equal(slug('Try it (`npm start`)'), 'try-it-npm-start')
  assert.equal(slug('See [the page](x.md) now'), 'see-the-page-now')
  assert.deepEqual([...anchors('# A\n```\n# not a heading\n```\n# A\n')], ['a', 'a-1'])
})
