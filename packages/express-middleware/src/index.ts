export { polytoken, type PolytokenRouter } from './polytoken.js'
export type { PolytokenOptions, MountOptions } from '@polytoken/core'
