const FORMAT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/

/** `YYYY-MM-DDTHH:MM` in UTC → epoch ms; undefined when the text is not a real date and time. */
export function parseMinuteUtc(text: string): number | undefined {
  const match = FORMAT.exec(text)
  if (!match) return undefined
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number]
  const ms = Date.UTC(year, month - 1, day, hour, minute)
  const back = new Date(ms)
  // Date.UTC rolls 2024-02-30 over into March; a real date survives the round trip.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59) return undefined
  return ms
}
