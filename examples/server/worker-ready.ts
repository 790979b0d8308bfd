import cluster from 'node:cluster'

/** What a worker tells the primary once its router is set up: a worker that exits before it is ready is not replaced. */
const READY = { polytoken: 'ready' } as const

export function reportReady(): void {
  if (cluster.isWorker) process.send?.(READY)
}

export function isReadyMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { polytoken?: unknown }).polytoken === READY.polytoken
}
