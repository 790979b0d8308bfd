export { polytoken, type PolytokenRouter, type PolytokenRouterOptions } from './polytoken.js'
export type { PolytokenOptions, MountOptions } from '@polytoken/core'
