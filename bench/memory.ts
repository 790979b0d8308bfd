export interface MemoryReport {
  markdown: string
}
export async function runMemory(): Promise<MemoryReport | undefined> {
  return undefined
}
