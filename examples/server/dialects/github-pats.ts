import { patDialect, type PatDialectOptions } from '../../pat-dialect/pat-dialect.js'
import type { MountDialect, Section } from '../context.js'

/** The personal-access-token example dialect (examples/pat-dialect), under /github by default. */
const mount: MountDialect = ({ config: section, env, exampleSecret, baseUrl }) => {
  const config = section as Section<PatDialectOptions>
  const users = { ...config.users, ...(env.GITHUB_PATS_OCTOCAT_PASSWORD ? { octocat: env.GITHUB_PATS_OCTOCAT_PASSWORD } : {}) }
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
