/**
 * What a scope's name may look like, per resource type. Policy rules match
 * names literally, so a name that some other component would normalise
 * (`library/../genedna/private`, `/v1/../admin`) must never reach them: a
 * registry or a web server behind a normalising proxy would act on a
 * different resource than the one the policy saw.
 */

// Docker's reference grammar (distribution/reference, regexp.go), with `*`
// standing in for an alphanumeric so crew's wildcard requests (`genedna/*`,
// `library/u*`, `team/**`) still parse. The separator is written `[-]+` as
// in distribution/reference today, not the older `[-]*`: the same names, but
// `[-]*` lets a backtracking engine split a run of letters exponentially
// many ways (Go's RE2 does not care; JavaScript's engine does).
const ALPHANUMERIC = '[a-z0-9*]+'
const SEPARATOR = '(?:[._]|__|[-]+)'
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`
const REPOSITORY_NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)

/** A segment a path normaliser would fold away: `.`, `..`, or empty between two slashes. */
const DOT_OR_EMPTY_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)|\/\//
/** `%2e` (.), `%2f` (/), `%5c` (\) and `%25` (%, a second round of decoding) in either case. */
const ENCODED_SEPARATOR = /%(?:2e|2f|5c|25)/i

/** Why `name` is refused for `type`, or undefined when it is fine. */
export function nameProblem(type: string, name: string): string | undefined {
  if (type === 'repository') {
    return REPOSITORY_NAME.test(name) ? undefined : "repository name does not follow Docker's reference grammar ([domain[:port]/]component[/component...], components of a-z 0-9 joined by . _ __ -)"
  }
  if (DOT_OR_EMPTY_SEGMENT.test(name)) return 'scope name holds a "." or ".." segment or an empty one ("//")'
  if (ENCODED_SEPARATOR.test(name)) return 'scope name holds a percent-encoded ".", "/", "\\" or "%"'
  return undefined
}
