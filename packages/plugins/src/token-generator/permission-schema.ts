import type { JsonSchema } from '@polytoken/core'

const name = { type: 'string', minLength: 1, maxLength: 128 }
const scalar = { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'number' }, { type: 'boolean' }] }
const flatObject = { type: 'object', maxProperties: 64, propertyNames: name, additionalProperties: scalar }

/**
 * The document's shape and nothing more: `abilities` maps a resource to its
 * groups, each a scalar (`"tags": {"auto_tag": "test"}`) or a map of flags
 * (`"album_id": {"Access": {"see": true}}`), and `Id` names the resource.
 * Any other top-level key is refused: it would become a claim the resource
 * service trusts. Configure `permissionSchema` to allow more.
 */
export const defaultPermissionSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    abilities: {
      type: 'object',
      maxProperties: 128,
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        maxProperties: 64,
        propertyNames: name,
        additionalProperties: { anyOf: [...scalar.anyOf, flatObject] },
      },
    },
    Id: { anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'integer' }] },
  },
}
