import { sagradaUnauthorized } from './envelope.js'

/** What the rules read of a user record. 0 means "never sent" for generation and keysChangedAt. */
export interface RecordedKeys {
  generation: number
  keysChangedAt: number
  clientState: string
}

/** What a login tells: its generation and keysChangedAt (0 when the IdP did not send them) and X-Client-State. */
export interface PresentedKeys {
  generation: number
  keysChangedAt: number
  clientState: string
}

export interface KeyUpdates {
  generation?: number
  keysChangedAt?: number
  /** A new client state: the user moves to a new uid. */
  clientState?: string
}

const invalidClientState = () => sagradaUnauthorized('invalid-client-state', 'Unacceptable client-state value')
const invalidKeysChangedAt = () => sagradaUnauthorized('invalid-keysChangedAt', 'Unacceptable keysChangedAt value')
const invalidGeneration = () => sagradaUnauthorized('invalid-generation', 'Unacceptable generation number')

/**
 * tokenserver's views.py (`return_token`, "Update if this client is ahead of
 * previously-seen clients"): what a login changes in the record, or why it is
 * refused before anything is written. `retired` says whether the presented
 * client state is one the user has moved away from.
 */
export function planKeyUpdates(user: RecordedKeys, login: PresentedKeys, retired: boolean): KeyUpdates {
  const updates: KeyUpdates = {}
  if (login.generation > user.generation) updates.generation = login.generation
  if (login.keysChangedAt > user.keysChangedAt) {
    // views.py: "If there's a generation number available, then a change in keys should
    // correspond to a change in generation number."
    if (login.generation > 0 && updates.generation === undefined) throw invalidKeysChangedAt()
    // syncstorage-rs (tokenserver's successor): keys cannot have changed after the
    // generation reported with them — keysChangedAt greater than generation is refused.
    if (login.generation > 0 && login.keysChangedAt > login.generation) throw invalidKeysChangedAt()
    updates.keysChangedAt = login.keysChangedAt
  }
  if (login.clientState !== user.clientState) {
    // "Don't revert from some-client-state to no-client-state."
    if (!login.clientState) throw invalidClientState()
    // "Don't revert to a previous client-state."
    if (retired) throw invalidClientState()
    // "If we have a generation number, then don't update client-state without a change in generation number."
    if (login.generation > 0 && updates.generation === undefined) throw invalidClientState()
    // "If the IdP has been sending keys_changed_at timestamps, then don't update client-state
    // without a change in keys_changed_at."
    if (user.keysChangedAt > 0 && updates.keysChangedAt === undefined) throw invalidClientState()
    updates.clientState = login.clientState
  }
  return updates
}

/**
 * views.py, after `update_user`, against the record as it now is: a client
 * behind the recorded generation is invalid-generation; once a keysChangedAt
 * was recorded, a login without one or with an older one is
 * invalid-keysChangedAt ("once the IdP starts sending keys_changed_at, we'll
 * error out if it stops").
 */
export function checkAfterUpdate(user: RecordedKeys, login: PresentedKeys): void {
  if (login.generation > 0 && user.generation > login.generation) throw invalidGeneration()
  if (user.keysChangedAt > 0 && user.keysChangedAt > login.keysChangedAt) throw invalidKeysChangedAt()
}

/** A first login: no record to compare with, but keys newer than the generation are refused all the same. */
export function checkFirstLogin(login: PresentedKeys): void {
  planKeyUpdates({ generation: 0, keysChangedAt: 0, clientState: login.clientState }, login, false)
}
