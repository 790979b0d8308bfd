/** For store authors: the store contract as node:test tests (`@polytoken/core/testing`). */
export { describeStoreCompliance, type StoreComplianceOptions } from './store-compliance.js'
