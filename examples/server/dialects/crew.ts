import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { crew, type CrewOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

const EXAMPLE_PASSWORD = 'changeit'

/**
 * crew at the root (`/v1/token`). The signing certificate is written to
 * `<dataDir>/crew-signing.pem` (or `certificateFile`) at start-up: point the
 * registry's `auth.token.rootcertbundle` at it.
 */
const mount: MountDialect = ({ config: section, exampleSecret, baseUrl, dataDir }) => {
  const config = section as Section<CrewOptions, { certificateFile?: string }>
  const prefix = config.prefix ?? ''
  const certificateFile = resolve(dataDir, config.certificateFile ?? 'crew-signing.pem')
  const users: NonNullable<CrewOptions['users']> = { ...config.users }
  for (const [name, user] of Object.entries(users)) {
    if (user.password === EXAMPLE_PASSWORD) exampleSecret(`crew.users.${name}.password`)
  }
  const issuer: string = config.issuer ?? 'polytoken-crew'
  // Checked by crew(): a missing service is its ConfigInvalid. Several names: one deployment answers for each (crew.md's containerops.me too).
  const service = config.service as CrewOptions['service']
  const realm = `${baseUrl}${prefix}/v1/token`
  const firstService = Array.isArray(service) ? service[0] : service
  return {
    prefix,
    dialect: crew({
      issuer,
      service,
      users,
      policy: config.policy,
      ...(config.algorithm !== undefined ? { algorithm: config.algorithm } : {}),
      ...(config.x5c !== undefined ? { x5c: config.x5c } : {}),
      ...(config.tokenLifetimeSec !== undefined ? { tokenLifetimeSec: config.tokenLifetimeSec } : {}),
      ...(config.refreshTokenLifetimeSec !== undefined ? { refreshTokenLifetimeSec: config.refreshTokenLifetimeSec } : {}),
      ...(config.realm !== undefined ? { realm: config.realm } : {}),
      onCertificate(certificate) {
        mkdirSync(dirname(certificateFile), { recursive: true })
        writeFileSync(certificateFile, certificate.pem)
      },
    }),
    notes: [
      `signing certificate: ${certificateFile}`,
      'registry config.yml (Docker Distribution 2.x):',
      '  auth:',
      '    token:',
      `      realm: ${realm}`,
      `      service: ${firstService}`,
      `      issuer: ${issuer}`,
      `      rootcertbundle: ${certificateFile}`,
      `try: curl -s '${realm}?service=${firstService}&scope=repository:library/alpine:pull'`,
      `     curl -s -u genedna:${EXAMPLE_PASSWORD} '${realm}?service=${firstService}&scope=repository:genedna/app:pull,push&account=genedna&offline_token=true&client_id=curl'`,
    ],
  }
}
export default mount
