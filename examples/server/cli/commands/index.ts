import type { Command } from '../command.js'
import { hashPasswordCommand } from './hash-password.js'
import { keysCommand } from './keys.js'
import { serveCommand } from './serve.js'
import { usersCommand } from './users.js'
import { checkConfigCommand } from './check-config.js'
import { purgeCommand } from './purge.js'
import { tokensCommand } from './tokens.js'
import { sagradaCommand } from './sagrada.js'

/** Every `polytoken` command, in the order `polytoken --help` lists them. */
export const commands: readonly Command[] = [serveCommand, keysCommand, usersCommand, tokensCommand, sagradaCommand, purgeCommand, checkConfigCommand, hashPasswordCommand]
