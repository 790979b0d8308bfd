export { prodmanager, type ProdManagerOptions } from './prodmanager/index.js'
export { tokenGenerator, defaultPermissionSchema, type TokenGeneratorOptions } from './token-generator/index.js'
export { zazz, createZazzUsers, type ZazzOptions, type ZazzClientOptions, type ZazzUserOptions } from './zazz/index.js'
export { crew, createCrewUsers, createRefreshTokens, type CrewOptions, type CrewCertificate, type PolicyRule } from './crew/index.js'
export {
  sagrada,
  createHawkVerifier,
  sagradaAdminOf,
  type SagradaOptions,
  type SagradaAdmin,
  type SagradaInstance,
  type HawkRequest,
  type HawkVerifierOptions,
  type HawkCredentials,
} from './sagrada/index.js'
export { crewOptionsSchema } from './crew/index.js'
export { prodmanagerOptionsSchema } from './prodmanager/index.js'
export { sagradaOptionsSchema } from './sagrada/index.js'
export { tokenGeneratorOptionsSchema } from './token-generator/index.js'
export { zazzOptionsSchema } from './zazz/index.js'
export { CODE_ONLY, validateOptions } from './options-schema.js'
