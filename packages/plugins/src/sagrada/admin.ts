import { RequestInvalid, type AdminRow, type DialectInstance } from '@polytoken/core'
import type { NodeTable } from './node-table.js'
import type { ResolvedSagradaOptions, ResolvedService } from './options.js'
import type { Users } from './users.js'

/**
 * What `polytoken sagrada` works with: the nodes of each service (configuration plus the store's changes, see
 * node-table.ts) and the user records. Services are named `application-version`, as the original names them
 * (`sync-1.5`).
 */
export interface SagradaAdmin {
  /** Service names, in configuration order. */
  services(): string[]
  nodes: {
    /** One row per node: url, capacity, users (seats taken), drained, origin (config or added), type, secrets (node, shared or missing). */
    list(service: string): Promise<AdminRow[]>
    /** Refuses (RequestInvalid) a bad URL, a node already there, a node no instance could sign for. */
    add(service: string, url: string, options: { capacity?: number; type?: string }): Promise<void>
    /** False when the URL is not a node of the service. */
    drain(service: string, url: string, drained: boolean): Promise<boolean>
    /** False when the URL is not a node of the service. */
    capacity(service: string, url: string, capacity: number): Promise<boolean>
  }
  /** One row per service the user has a record in: uid, node, generation, keysChangedAt, clientState, created. */
  user(email: string): Promise<AdminRow[]>
}

/** A sagrada dialect's instance: its routes, and `sagrada` for operators. */
export type SagradaInstance = DialectInstance & { sagrada: SagradaAdmin }

/** The operator API of an instance when it is a sagrada one (the CLI holds instances untyped). */
export function sagradaAdminOf(instance: DialectInstance): SagradaAdmin | undefined {
  return (instance as Partial<SagradaInstance>).sagrada
}

export function createSagradaAdmin(resolved: ResolvedSagradaOptions, table: NodeTable, users: Users): SagradaAdmin {
  const services = [...resolved.applications.values()].flatMap((versions) => [...versions.values()])
  const serviceNamed = (name: string): ResolvedService => {
    const service = services.find((s) => s.name === name)
    if (!service) throw new RequestInvalid(`no service "${name.slice(0, 64)}" is configured (services: ${services.map((s) => s.name).join(', ')})`)
    return service
  }
  return {
    services: () => services.map((s) => s.name),
    nodes: {
      async list(name) {
        const service = serviceNamed(name)
        const nodes = await table.read(service)
        return Promise.all(
          nodes.map(async (node) => ({
            service: service.name,
            url: node.url,
            capacity: node.capacity,
            users: await table.seats(service, node.url),
            drained: node.drained,
            origin: node.origin,
            type: node.type,
            // Which secrets this process would sign with: never the secrets themselves.
            secrets: node.secrets === undefined ? 'missing' : resolved.nodes.has(node.url) ? 'node' : 'shared',
          })),
        )
      },
      add: (name, url, options) => table.add(serviceNamed(name), url, options),
      drain: (name, url, drained) => table.setDrained(serviceNamed(name), url, drained),
      capacity: (name, url, capacity) => table.setCapacity(serviceNamed(name), url, capacity),
    },
    async user(email) {
      const rows: AdminRow[] = []
      for (const service of services) {
        const user = await users.find(service, email)
        if (!user) continue
        rows.push({
          service: service.name,
          uid: user.uid,
          node: user.node,
          generation: user.generation,
          keysChangedAt: user.keysChangedAt,
          clientState: user.clientState,
          created: new Date(user.createdAt).toISOString(),
        })
      }
      return rows
    },
  }
}
