import { patDialect, type PatDialectOptions } from '../../pat-dialect/pat-dialect.js'
import type { MountDialect, Section } from '../context.js'

/** The personal-access-token example dialect (examples/pat-dialect), under /github by default. */
const mount: MountDialect = ({ config: section, exampleSecret, baseUrl }) => {
  const config = section as Section<PatDialectOptions>
  // GITHUB_PATS_OCTOCAT_PASSWORD is users.octocat, applied by loadConfig.
  const users = { ...config.users }
  if (users.octocat === 'change-me-please') exampleSecret('github-pats.users.octocat (GITHUB_PATS_OCTOCAT_PASSWORD)')
  const prefix = config.prefix ?? '/github'
  const { prefix: _prefix, enabled: _enabled, ...options } = config
  return {
    prefix,
    dialect: patDialect({ ...options, users }),
    notes: [`try: curl -u octocat:… -H 'content-type: application/json' -d '{"note":"ci","scopes":["user"]}' ${baseUrl}${prefix}/pats`],
  }
}
export default mount
