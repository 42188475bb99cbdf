/**
 * `velox bench [NAME…]`: runs the benchmarks in tools/benchmarks/ and prints their tables.
 * Each benchmark module exports `run(): Promise<void>` and prints its own table.
 */
export const summary = 'run benchmarks (ring, store, …) beside their references'

const BENCHMARKS: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  health: () => import('../benchmarks/health.js'),
  grid: () => import('../benchmarks/grid.js'),
  listing: () => import('../benchmarks/listing.js'),
  ring: () => import('../benchmarks/ring.js'),
  replication: () => import('../benchmarks/replication.js'),
  slo: () => import('../benchmarks/slo.js'),
  store: () => import('../benchmarks/store.js'),
  swift: () => import('../benchmarks/swift.js'),
  thumbnails: () => import('../benchmarks/thumbnails.js'),
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(`usage: velox bench [${Object.keys(BENCHMARKS).join('|')}]…`)
    return 0
  }
  const names = argv.filter((a) => !a.startsWith('-'))
  const chosen = names.length ? names : Object.keys(BENCHMARKS)
  for (const name of chosen) {
    const load = BENCHMARKS[name]
    if (!load) {
      console.error(`bench: unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`)
      return 2
    }
    console.log(`\n== ${name} ==`)
    await (await load()).run(argv.filter((a) => a.startsWith('-')))
  }
  return 0
}
