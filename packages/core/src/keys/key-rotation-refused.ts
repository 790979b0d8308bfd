/**
 * An operator's key-rotation request that was refused (a key that does not exist, retiring the active key, promoting
 * a key too young, rotating a configured ring): nothing was written. Administrative only, never sent to a client, so
 * not one of the catalogue's HTTP errors.
 */
export class KeyRotationRefused extends Error {
  override name = 'KeyRotationRefused'
  readonly code = 'ERR_KEY_ROTATION_REFUSED'
  /** True when the named key is not in the ring. */
  readonly notFound: boolean

  constructor(message: string, options: { notFound?: boolean } = {}) {
    super(message)
    this.notFound = options.notFound ?? false
  }
}
