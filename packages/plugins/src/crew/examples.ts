import type { RouteExample } from '@polytoken/core'

/** crew.md's request, verbatim: the anonymous web-page grant for the sign-up and sign-in pages. */
export const postTokenExamples: readonly RouteExample[] = [
  {
    name: 'crew.md',
    summary: "crew.md's request (anonymous web grant)",
    body: { type: 'json', value: { service: 'containerops.me', scope: 'scope=web:/v1/user:post;web:/v1/user/auth:post', account: '', grant: 'web' } },
  },
]
