import type { UserRecord } from './users.js'

export interface UserView {
  userId: number
  accountType: 'User' | 'Club'
  isConfirmed: boolean
  displayName: string
  displayPhoto: { verySmallLink: string; smallLink: string; mediumLink: string; originalLink: string }
}

export const userViewSchema = {
  type: 'object',
  required: ['userId', 'accountType', 'isConfirmed', 'displayName', 'displayPhoto'],
  properties: {
    userId: { type: 'integer' },
    accountType: { type: 'string', enum: ['User', 'Club'] },
    isConfirmed: { type: 'boolean' },
    displayName: { type: 'string' },
    displayPhoto: {
      type: 'object',
      properties: { verySmallLink: { type: 'string' }, smallLink: { type: 'string' }, mediumLink: { type: 'string' }, originalLink: { type: 'string' } },
    },
  },
}

/** The document's `user` object; displayName falls back to the username, photos to the placeholder. */
export function createUserView(photoBaseUrl: string, placeholderImage: string) {
  const link = (path: string | undefined) => {
    const target = path && path.length > 0 ? path : placeholderImage
    return /^https?:\/\//i.test(target) ? target : `${photoBaseUrl}${target.startsWith('/') ? '' : '/'}${target}`
  }
  return (user: UserRecord): UserView => ({
    userId: user.userId,
    accountType: user.accountType,
    isConfirmed: user.isConfirmed,
    displayName: user.displayName && user.displayName.length > 0 ? user.displayName : user.username,
    displayPhoto: {
      verySmallLink: link(user.photo?.verySmallLink),
      smallLink: link(user.photo?.smallLink),
      mediumLink: link(user.photo?.mediumLink),
      originalLink: link(user.photo?.originalLink),
    },
  })
}
