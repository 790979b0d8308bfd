export { prodmanager, type ProdManagerOptions } from './prodmanager/index.js'
export { tokenGenerator, defaultPermissionSchema, type TokenGeneratorOptions } from './token-generator/index.js'
export { zazz, createZazzUsers, type ZazzOptions, type ZazzClientOptions, type ZazzUserOptions } from './zazz/index.js'
export { crew, createCrewUsers, type CrewOptions, type PolicyRule } from './crew/index.js'
