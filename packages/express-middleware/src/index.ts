export { polytoken, type PolytokenRouter, type PolytokenRouterOptions } from './polytoken.js'
export type { PolytokenOptions, MountOptions } from '@polytoken/core'
export { DEFAULT_STARTUP, type StartupOptions } from './startup-retry.js'
export type { RouterState } from './lifecycle.js'
