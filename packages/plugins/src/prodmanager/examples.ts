import type { RouteExample } from '@polytoken/core'

/** prodmanager.md's curl, as a multipart form: the docs page's "Try it out" starts from it. */
export function createExamples(permissionNames: readonly string[]): RouteExample[] {
  return [
    {
      name: 'prodmanager.md',
      summary: "prodmanager.md's curl -F request",
      body: {
        type: 'multipart',
        value: {
          secret: 'changeit',
          name: 'api-documentation',
          description: 'Token for documentation example',
          // The document's permissions, those this deployment knows: an example the route would refuse helps no one.
          permission: ['scope_api', 'service_api'].filter((name) => permissionNames.includes(name)),
        },
      },
    },
  ]
}
