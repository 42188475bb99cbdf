/**
 * Entry point of `tools/velox`: dispatches to one module per command. Each command module
 * exports `run(argv): Promise<number>` (the exit code) and a one-line `summary`.
 */
import { isVeloxError } from '../../appliance/src/errors.js'

interface Command {
  summary: string
  run(argv: string[]): Promise<number>
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: () => import('./serve.js'),
  bench: () => import('./bench.js'),
  ring: () => import('./ring.js'),
  user: () => import('./user.js'),
  disk: () => import('./disk.js'),
  replicator: () => import('./replicator.js'),
}

function usage(): string {
  return `usage: velox COMMAND [ARGS]\n\ncommands:\n${Object.keys(COMMANDS)
    .map((c) => `  ${c}`)
    .join('\n')}\n\nvelox COMMAND --help for more.`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return name ? 0 : 2
  }
  const load = COMMANDS[name]
  if (!load) {
    console.error(`velox: unknown command ${JSON.stringify(name)}\n${usage()}`)
    return 2
  }
  const cmd = await load()
  return cmd.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (isVeloxError(err)) console.error(`velox: ${err.message}`)
    else console.error(err)
    process.exitCode = 1
  },
)
