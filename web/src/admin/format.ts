/** Numbers of the health console in words people read at a glance. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—'
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`
}

export const rate = (n: number | undefined) => (n === undefined ? '—' : `${bytes(n)}/s`)
export const pct = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(n < 10 ? 1 : 0)} %`)
export const temp = (n: number | undefined) => (n === undefined ? '—' : `${Math.round(n)} °C`)

export function ago(t: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - t) / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86400)} d ago`
}

/** Names that the samplers put in the middle of a metric (`net.<if>.up`), found in the values. */
export function namesOf(values: Record<string, number>, family: string, suffix: string): string[] {
  const re = new RegExp(`^${family}\\.(.+)\\.${suffix.replace(/\./g, '\\.')}$`)
  return Object.keys(values)
    .map((k) => re.exec(k)?.[1])
    .filter((x): x is string => !!x)
    .sort()
}
