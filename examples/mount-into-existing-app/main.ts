// npx tsx examples/mount-into-existing-app/main.ts  → http://localhost:8082/auth/token/create
import { createHostApp, reportRouteConflicts } from './app.js'

const { app } = await createHostApp({ masterKey: process.env.POLYTOKEN_MASTER_KEY ?? 'example-master-key-change-me-please' })
// Every route is registered: say now if one of the host's hides one of polytoken's, or the other way round.
reportRouteConflicts(app)
const port = Number(process.env.PORT ?? 8082)
app.listen(port, () => console.log(`existing app on http://localhost:${port}; polytoken mounted at /auth`))
