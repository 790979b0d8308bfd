/**
 * A Markdown table of a dialect's options (path, type, default, description),
 * generated from its JSON Schema so the docs cannot drift from what the code
 * accepts. The docs build puts one at each `<!-- options:<dialect> -->` marker.
 */
import type { JsonSchema } from '@polytoken/core'
import { CODE_ONLY } from '@polytoken/plugins'

export interface OptionRow {
  /** `users.<name>.password`, `clients[].id`: `<name>` is any key of a map, `[]` any item of a list. */
  path: string
  type: string
  default: string
  description: string
  required: boolean
}

type Schema = JsonSchema & {
  type?: string | string[]
  enum?: unknown[]
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  required?: string[]
  description?: string
  title?: string
  default?: unknown
}

/** Every option of the schema, parents before children, in schema order. */
export function optionRows(schema: JsonSchema): OptionRow[] {
  const rows: OptionRow[] = []
  walk(schema, '', rows)
  return rows
}

function walk(schema: Schema, path: string, rows: OptionRow[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path === '' ? key : `${path}.${key}`
    rows.push({
      path: childPath,
      type: typeOf(child),
      default: 'default' in child ? JSON.stringify(child.default) : '',
      description: child.description ?? '',
      required: schema.required?.includes(key) ?? false,
    })
    descend(child, childPath, rows)
  }
  // A map: every key is the caller's (user names, node URLs); its values have one shape.
  if (typeof schema.additionalProperties === 'object') {
    const value = schema.additionalProperties
    // The value schema's `title` names the key (`version`, `account`); else the map's name less its plural s.
    const valuePath = `${path}.<${typeof value.title === 'string' ? value.title : mapKeyName(path)}>`
    rows.push({ path: valuePath, type: typeOf(value), default: '', description: value.description ?? '', required: false })
    descend(value, valuePath, rows)
  }
}

function descend(schema: Schema, path: string, rows: OptionRow[]): void {
  if (schema.properties || typeof schema.additionalProperties === 'object') walk(schema, path, rows)
  if (schema.items && (schema.items.properties || typeof schema.items.additionalProperties === 'object')) walk(schema.items, `${path}[]`, rows)
}

function mapKeyName(path: string): string {
  const last = path.split('.').pop() ?? ''
  return last.endsWith('s') ? last.slice(0, -1) : 'key'
}

function typeOf(schema: Schema): string {
  if (CODE_ONLY in schema) return `${String(schema[CODE_ONLY])} (code only)`
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' \\| ')
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  const names = types.map((type) => (type === 'array' && schema.items ? `${list(typeOf(schema.items))}[]` : type))
  return names.length > 0 ? names.join(' \\| ') : 'any'
}

/** `("a" \| "b")[]`, not `"a" \| "b"[]`. */
function list(itemType: string): string {
  return itemType.includes(' \\| ') ? `(${itemType})` : itemType
}

/** One cell: pipes escaped, lines joined, so a description never breaks the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
}

export function optionsTable(schema: JsonSchema): string {
  const lines = ['| Option | Type | Default | Description |', '| --- | --- | --- | --- |']
  for (const row of optionRows(schema)) {
    const description = row.required ? `**Required.** ${row.description.replace(/\s*Required\.\s*/, ' ').trim()}` : row.description
    lines.push(`| \`${row.path}\` | ${row.type.includes('`') ? row.type : `\`${row.type}\``} | ${row.default ? `\`${cell(row.default)}\`` : ''} | ${cell(description)} |`)
  }
  return lines.join('\n')
}
