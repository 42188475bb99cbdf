/**
 * `velox serve --data DIR --bind HOST:PORT [--users FILE] [--config FILE]`: runs one appliance
 * in the foreground until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util'
import { loadConfig, parseBind, type ConfigOverrides } from '../../appliance/src/config/index.js'
import { startAppliance } from '../../appliance/src/main.js'

export const summary = 'run one appliance (Swift API) on a data dir'

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      bind: { type: 'string' },
      users: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log('usage: velox serve [--data DIR] [--bind HOST:PORT] [--users FILE] [--config FILE]')
    return 0
  }
  const flags: ConfigOverrides = {}
  if (values.data) flags.dataDir = values.data
  if (values.bind) flags.bind = parseBind(values.bind)
  if (values.users) flags.auth = { usersFile: values.users }
  const config = loadConfig({ flags, env: process.env, file: values.config })
  const appliance = await startAppliance(config)
  const users = await appliance.users.list()
  process.stderr.write(
    `\nVelox is running on ${config.dataDir}\n` +
      `  Swift auth URL : ${appliance.url}/auth/v1.0\n` +
      `  Swift endpoint : ${appliance.url}/v1/${config.auth.resellerPrefix}<account>\n` +
      `  Web app        : ${appliance.url}/   (the install wizard arrives with the web app)\n` +
      (users.length === 0
        ? `  No users yet: tools/velox user add --data ${config.dataDir} ACCOUNT USER KEY --admin\n`
        : `  ${users.length} user(s); list them with: tools/velox user list --data ${config.dataDir}\n`) +
      '\n',
  )
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await appliance.stop()
  return 0
}
