#!/usr/bin/env node
// The `polytoken` command: the CLI's TypeScript sources run through tsx, as `npm start` runs the server.
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
