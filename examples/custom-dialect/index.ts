/**
 * @polytoken-examples/greeting-dialect: the greeting dialect as a package the examples server loads by name.
 * A dialect package's main entry exports `createDialect(options)` and its options schema
 * (docs/writing-a-dialect.md#publishing-a-dialect-package).
 */
export { greeting as createDialect, greeting, type GreetingOptions } from './greeting-dialect.js'
export { greetingOptionsSchema as optionsSchema } from './options-schema.js'
