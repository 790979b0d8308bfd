export interface GrowthReport {
  markdown: string
}
export async function runGrowth(): Promise<GrowthReport | undefined> {
  return undefined
}
