import type { MountDialect } from '../context.js'
import prodmanager from './prodmanager.js'
import tokenGenerator from './token-generator.js'
import crew from './crew.js'
import zazz from './zazz.js'
import sagrada from './sagrada.js'
import githubPats from './github-pats.js'

/** Every dialect the examples server mounts, by its key in config.json. */
export const dialects: Record<string, MountDialect> = {
  prodmanager,
  'token-generator': tokenGenerator,
  crew,
  zazz,
  sagrada,
  'github-pats': githubPats,
}
