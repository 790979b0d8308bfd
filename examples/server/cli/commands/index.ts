import type { Command } from '../command.js'
import { hashPasswordCommand } from './hash-password.js'
import { keysCommand } from './keys.js'
import { serveCommand } from './serve.js'

/** Every `polytoken` command, in the order `polytoken --help` lists them. */
export const commands: readonly Command[] = [serveCommand, keysCommand, hashPasswordCommand]
