import type { Command } from '../command.js'
import { hashPasswordCommand } from './hash-password.js'
import { serveCommand } from './serve.js'
import { tokensCommand } from './tokens.js'
import { sagradaCommand } from './sagrada.js'

/** Every `polytoken` command, in the order `polytoken --help` lists them. */
export const commands: readonly Command[] = [serveCommand, hashPasswordCommand, tokensCommand, sagradaCommand]
