import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_SHUTDOWN, readShutdownSettings, readStartupRetry } from './lifecycle-settings.js'

test('shutdown settings: defaults, the environment, and a delay that must fit in the grace period', () => {
  assert.deepEqual(readShutdownSettings({}), DEFAULT_SHUTDOWN)
  assert.deepEqual(readShutdownSettings({ POLYTOKEN_SHUTDOWN_GRACE_MS: '25000', POLYTOKEN_SHUTDOWN_DELAY_MS: '5000' }), { graceMs: 25_000, delayMs: 5_000 })
  assert.throws(() => readShutdownSettings({ POLYTOKEN_SHUTDOWN_GRACE_MS: '0' }), /POLYTOKEN_SHUTDOWN_GRACE_MS must be a whole number of at least 1, got "0"/)
  assert.throws(() => readShutdownSettings({ POLYTOKEN_SHUTDOWN_DELAY_MS: '1.5' }), /POLYTOKEN_SHUTDOWN_DELAY_MS must be a whole number/)
  assert.throws(() => readShutdownSettings({ POLYTOKEN_SHUTDOWN_GRACE_MS: '5000', POLYTOKEN_SHUTDOWN_DELAY_MS: '5000' }), {
    code: 'ERR_CONFIG_INVALID',
    message: /must be less than POLYTOKEN_SHUTDOWN_GRACE_MS/,
  })
})

test('start-up retry settings: only what the environment sets (the router has the defaults)', () => {
  assert.deepEqual(readStartupRetry({}), {})
  assert.deepEqual(readStartupRetry({ POLYTOKEN_STARTUP_RETRY_MS: '120000', POLYTOKEN_STARTUP_MAX_ATTEMPTS: '20' }), { retryForMs: 120_000, maxAttempts: 20 })
  assert.throws(() => readStartupRetry({ POLYTOKEN_STARTUP_MAX_ATTEMPTS: '0' }), /POLYTOKEN_STARTUP_MAX_ATTEMPTS must be a whole number of at least 1/)
})
