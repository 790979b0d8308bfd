/** Store key prefixes of refresh tokens, shared by rotation (refresh-tokens.ts) and its grace period (refresh-grace.ts). */

/** A live refresh token's record, by the token's fingerprint. */
export const LIVE = 'rt:'
/** A mark kept for every token ever issued, until its family ends. */
export const ISSUED = 'rt-issued:'
