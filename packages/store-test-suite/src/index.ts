/** For store authors: the store contract as node:test tests, as @keyv/test-suite is for keyv adapters. */
export { describeStoreCompliance, type StoreComplianceOptions } from './store-compliance.js'
