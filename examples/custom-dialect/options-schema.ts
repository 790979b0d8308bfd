import { readFileSync } from 'node:fs'
import type { JsonSchema } from '@polytoken/core'

/**
 * The greeting dialect's options, as JSON Schema. The JSON file is the one copy: the examples server reads it
 * (the package exports ./options-schema.json) before running any of the package's code, and greeting() checks
 * its options against the same schema.
 */
export const greetingOptionsSchema = JSON.parse(readFileSync(new URL('./options-schema.json', import.meta.url), 'utf8')) as JsonSchema
