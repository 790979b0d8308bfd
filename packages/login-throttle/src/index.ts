export { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from './login-throttle.js'
export { createFailureBudget, type Attempt, type FailureBudget, type FailureBudgetOptions, type FailureLimit } from './failure-budget.js'
export { createAddressGuard, withAddressGuard, type AddressGuard, type AddressGuardOptions } from './address-guard.js'
export type { ThrottleSecret } from './throttle-key.js'
