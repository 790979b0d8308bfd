// npx tsx examples/mount-into-existing-app/main.ts  → http://localhost:8082/auth/token/create
import { createHostApp } from './app.js'

const { app } = await createHostApp({ masterKey: process.env.POLYTOKEN_MASTER_KEY ?? 'example-master-key-change-me-please' })
const port = Number(process.env.PORT ?? 8082)
app.listen(port, () => console.log(`existing app on http://localhost:${port}; polytoken mounted at /auth`))
