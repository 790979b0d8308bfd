import type { RouteExample } from '@polytoken/core'

/** token-generator.md's form body, decoded: the abilities on album_id. Its session token goes in Authorization. */
export const tokenExamples: readonly RouteExample[] = [
  {
    name: 'token-generator.md',
    summary: "token-generator.md's request (abilities on album_id)",
    body: {
      type: 'urlencoded',
      value: {
        permission: JSON.stringify({
          abilities: { album_id: { Access: { see: true, image_list: true, image_upload: true, image_delete: true, fullscreen: true, image_caption: true } }, tags: { auto_tag: 'test' } },
          Id: 'album_id',
        }),
      },
    },
  },
]
