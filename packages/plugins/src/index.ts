export { prodmanager, type ProdManagerOptions } from './prodmanager/index.js'
export { tokenGenerator, defaultPermissionSchema, type TokenGeneratorOptions } from './token-generator/index.js'
