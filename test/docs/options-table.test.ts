import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { JsonSchema } from '@polytoken/core'
import { crewOptionsSchema, prodmanagerOptionsSchema, sagradaOptionsSchema, tokenGeneratorOptionsSchema, zazzOptionsSchema } from '@polytoken/plugins'
import { serverConfigSchema } from '../../examples/server/config-schema.js'
import { optionsTable } from '../../scripts/options-table.js'

const schemas: Record<string, JsonSchema> = {
  crew: crewOptionsSchema,
  prodmanager: prodmanagerOptionsSchema,
  sagrada: sagradaOptionsSchema,
  'token-generator': tokenGeneratorOptionsSchema,
  zazz: zazzOptionsSchema,
  'examples server': serverConfigSchema,
}

/** Every entry of every `properties` object anywhere in the schema, found without the table's own walk. */
function declaredProperties(node: unknown, out: Array<{ key: string; description: unknown }> = []): Array<{ key: string; description: unknown }> {
  if (Array.isArray(node)) for (const item of node) declaredProperties(item, out)
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') {
        for (const [name, property] of Object.entries(value)) out.push({ key: name, description: (property as { description?: unknown }).description })
      }
      if (key !== 'default' && key !== 'enum') declaredProperties(value, out)
    }
  }
  return out
}

test('optionsTable renders every property of each schema, each with a description', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const table = optionsTable(schema)
    const rows = table.split('\n').slice(2)
    const optionRows = rows.filter((row) => !/^\| `[^`]*<[^>`]+>` \|/.test(row))
    const declared = declaredProperties(schema)
    assert.equal(optionRows.length, declared.length, `${name}: one row per declared property`)
    for (const { key, description } of declared) {
      assert.ok(
        rows.some((row) => row.startsWith(`| \`${key}\``) || row.includes(`.${key}\` |`) || row.includes(`[].${key}\` |`)),
        `${name}: ${key} has a row`,
      )
      assert.ok(typeof description === 'string' && description.length > 10, `${name}: ${key} has a description`)
    }
    for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length, 6, `${name}: a well-formed row: ${row}`)
  }
})

test('the table shows types, defaults, required and code-only options', () => {
  const crew = optionsTable(crewOptionsSchema)
  assert.match(crew, /^\| Option \| Type \| Default \| Description \|$/m)
  assert.match(crew, /^\| `service` \| `string \\\| string\[\]` \| {2}\| \*\*Required\.\*\* /m)
  assert.match(crew, /^\| `tokenLifetimeSec` \| `integer` \| `300` \| /m)
  assert.match(crew, /^\| `users\.<account>\.password` \| `string` \| /m)
  assert.match(crew, /^\| `onCertificate` \| `function \(code only\)` \| /m)
  assert.match(optionsTable(zazzOptionsSchema), /^\| `clients\[\]\.grantTypes` \| `\("password" \\\| "refresh_token"\)\[\]` \| `\["password","refresh_token"\]` \| /m)
})
