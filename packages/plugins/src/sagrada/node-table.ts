import { RequestInvalid, type Clock, type Store } from '@polytoken/core'
import type { ResolvedNode, ResolvedService } from './options.js'

/**
 * What the store adds to a service's configured nodes (tokenserver keeps it in its `nodes` table): nodes added at run
 * time, drained nodes and capacity overrides. Configuration is the initial set; this record is read by every
 * allocation on every instance, so a change applies to the next new user anywhere, with no restart.
 *
 * Node secrets are never here: a node is signed for with its `sagrada.nodes` secrets or the top-level
 * `sagrada.secrets` of each instance's configuration, so no secret passes through the CLI or sits in the store.
 */
export interface NodeChange {
  url: string
  /** Overrides the configured capacity (or sets an added node's). */
  capacity?: number
  /** No new users are allocated to a drained node; its users move at their next key change. */
  drained?: boolean
  /** Set for a node added at run time: when, and its node_type. */
  addedAt?: number
  type?: string
}

/** One node of one service as allocation sees it: configuration with the store's changes applied. */
export interface ServiceNode {
  url: string
  capacity: number
  drained: boolean
  type: string
  origin: 'config' | 'added'
  /** The secrets this instance signs with for the node: its own from config, else the top-level ones; none: it cannot. */
  secrets: string[] | undefined
}

/** Node URLs: absolute http(s), no credentials, query or fragment; they land in api_endpoint as they are written. */
const MAX_URL_LENGTH = 256

export function checkNodeUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new RequestInvalid('a node is named by its absolute URL, e.g. https://sync-3.example.com')
  }
  if (url.length > MAX_URL_LENGTH || !/^[\x21-\x7e]+$/.test(url)) throw new RequestInvalid(`a node URL is at most ${MAX_URL_LENGTH} printable characters without spaces`)
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new RequestInvalid('a node URL is http:// or https://')
  if (parsed.username || parsed.password || parsed.search || parsed.hash) throw new RequestInvalid('a node URL has no credentials, query or fragment')
}

/** Seats counter of a node in a service: taken by allocation (users.ts), shown by the node listing. */
export const seatsKey = (service: ResolvedService, url: string) => `seats:${service.name}:${url}`

export function createNodeTable(store: Store, configured: Map<string, ResolvedNode>, fallbackSecrets: string[] | undefined, clock: Clock) {
  const changesKey = (service: ResolvedService) => `nodes:${service.name}`
  const secretsOf = (url: string) => configured.get(url)?.secrets ?? fallbackSecrets

  /** Configuration with the store's changes applied. */
  function merge(service: ResolvedService, changes: readonly NodeChange[]): ServiceNode[] {
    const byUrl = new Map(changes.map((change) => [change.url, change]))
    const nodes: ServiceNode[] = service.nodes.map((url) => {
      const node = configured.get(url)!
      const change = byUrl.get(url)
      return { url, capacity: change?.capacity ?? node.capacity, drained: change?.drained === true, type: node.type, origin: 'config', secrets: node.secrets }
    })
    for (const change of changes) {
      if (change.addedAt === undefined || service.nodes.includes(change.url)) continue
      nodes.push({
        url: change.url,
        capacity: change.capacity ?? 0,
        drained: change.drained === true,
        type: change.type ?? configured.get(change.url)?.type ?? 'mysql',
        origin: 'added',
        secrets: secretsOf(change.url),
      })
    }
    return nodes
  }

  /** Every node of the service, read from the store now: what allocation and the CLI use. */
  const read = async (service: ResolvedService) => merge(service, (await store.get<NodeChange[]>(changesKey(service))) ?? [])

  /**
   * Change one node's entry as one compare-and-set, against the nodes as that very record makes them. `edit` returns
   * undefined when the URL is not a node it may change (nothing is written: false), or throws to refuse.
   */
  async function change(service: ResolvedService, url: string, edit: (current: NodeChange | undefined, nodes: ServiceNode[]) => NodeChange | undefined): Promise<boolean> {
    let changed = false
    await store.update<NodeChange[]>(changesKey(service), (changes = []) => {
      const next = edit(
        changes.find((c) => c.url === url),
        merge(service, changes),
      )
      changed = next !== undefined
      return next && [...changes.filter((c) => c.url !== url), next]
    })
    return changed
  }

  const known = (nodes: ServiceNode[], url: string) => nodes.some((node) => node.url === url)

  return {
    read,
    /** The node_type of a node (configured, or added to any service): what the token answer names. */
    async typeOf(service: ResolvedService, url: string): Promise<string> {
      return configured.get(url)?.type ?? (await read(service)).find((node) => node.url === url)?.type ?? 'mysql'
    },
    secretsOf,
    /**
     * A node joins the service: one configured under `sagrada.nodes` (its own secrets), or any URL when the
     * top-level `sagrada.secrets` are set (the node shares them). Every instance must sign for it with the same
     * secrets, so a node whose secrets only some configuration holds must be configured everywhere first.
     */
    async add(service: ResolvedService, url: string, options: { capacity?: number; type?: string }): Promise<void> {
      checkNodeUrl(url)
      if (!secretsOf(url)) {
        throw new RequestInvalid(`no secrets for ${url}: configure it under sagrada.nodes with its secrets (and roll the servers), or set sagrada.secrets, which nodes added at run time share`)
      }
      const capacity = options.capacity ?? configured.get(url)?.capacity
      if (capacity === undefined) throw new RequestInvalid('a node that is not in sagrada.nodes needs a capacity')
      await change(service, url, (current, nodes) => {
        if (known(nodes, url)) throw new RequestInvalid(`${url} is already a node of ${service.name}`)
        return { ...current, url, capacity, addedAt: clock(), type: options.type ?? configured.get(url)?.type ?? 'mysql' }
      })
    },
    /** False when the URL is not a node of the service. */
    setDrained: (service: ResolvedService, url: string, drained: boolean): Promise<boolean> => change(service, url, (current, nodes) => (known(nodes, url) ? { ...current, url, drained } : undefined)),
    /** False when the URL is not a node of the service. */
    setCapacity: (service: ResolvedService, url: string, capacity: number): Promise<boolean> =>
      change(service, url, (current, nodes) => (known(nodes, url) ? { ...current, url, capacity } : undefined)),
    /** Seats taken on the node: users allocated to it and not moved off. */
    seats: async (service: ResolvedService, url: string) => (await store.get<number>(seatsKey(service, url))) ?? 0,
  }
}

export type NodeTable = ReturnType<typeof createNodeTable>
