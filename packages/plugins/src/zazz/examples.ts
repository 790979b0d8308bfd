import type { RouteExample } from '@polytoken/core'

/** zazz.md's password grant. Its client credential (Basic) goes through the page's Authorize dialog. */
export const tokenExamples: readonly RouteExample[] = [
  {
    name: 'zazz.md',
    summary: "zazz.md's password grant",
    body: { type: 'urlencoded', value: { grant_type: 'password', username: 'soroush', password: '123', scope: 'full' } },
  },
]
