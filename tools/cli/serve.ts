/**
 * `velox serve --data DIR --bind HOST:PORT [--users FILE] [--config FILE]`: runs one appliance
 * in the foreground until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util'
import { loadConfig, parseBind, type ConfigOverrides } from '../../appliance/src/config/index.js'
import { installProcessGuard } from '../../appliance/src/http/request-guard.js'
import { createLog } from '../../appliance/src/lib/log.js'
import { startAppliance } from '../../appliance/src/main.js'
import { ensureFirstUser } from '../../appliance/src/setup/first-user.js'

export const summary = 'run one appliance (Swift API) on a data dir'

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      bind: { type: 'string' },
      users: { type: 'string' },
      config: { type: 'string' },
      setup: { type: 'boolean' },
      'https-port': { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log('usage: velox serve [--data DIR] [--bind HOST:PORT] [--users FILE] [--config FILE] [--setup] [--https-port PORT]')
    return 0
  }
  const flags: ConfigOverrides = {}
  if (values.data) flags.dataDir = values.data
  if (values.bind) flags.bind = parseBind(values.bind)
  if (values.users) flags.auth = { usersFile: values.users }
  if (values['https-port']) flags.https = { port: Number(values['https-port']) }
  const config = loadConfig({ flags, env: process.env, file: values.config })
  const log = createLog(config.log.level)
  // One request's failure must never stop the box: log it with its transaction id, answer 500.
  installProcessGuard(log)
  const appliance = await startAppliance(config, log, { setup: values.setup === true })
  if (appliance.firstBoot.gated()) {
    printSetupCode(appliance.url, appliance.firstBoot.wizard.code.code)
    await waitForSignal()
    await appliance.stop()
    return 0
  }
  const first = await ensureFirstUser(appliance.users)
  const users = await appliance.users.list()
  process.stderr.write(
    `\nVelox is running on ${config.dataDir}\n` +
      `  Swift auth URL : ${appliance.url}/auth/v1.0\n` +
      `  Swift endpoint : ${appliance.url}/v1/${config.auth.resellerPrefixes[0]}<account>\n` +
      `  Web app        : ${appliance.url}/   (sign in with a local user, e.g. the admin below)\n` +
      (appliance.firstBoot.https.active ? `  HTTPS          : ${appliance.firstBoot.https.url}/  (plain HTTP redirects there)\n` : '') +
      (first
        ? `  First start: created the admin user ${first.account}:${first.user} with key ${first.key}\n` +
          `  (shown once; change it with: tools/velox user passwd --data ${config.dataDir} admin admin NEWKEY)\n` +
          `  Try it: swift -A ${appliance.url}/auth/v1.0 -U ${first.account}:${first.user} -K ${first.key} stat\n`
        : `  ${users.length} user(s); list them with: tools/velox user list --data ${config.dataDir}\n`) +
      '\n',
  )
  await waitForSignal()
  await appliance.stop()
  return 0
}

/** The one-time code, on the console only (as a Jupyter token): whoever reads it may claim the box. */
function printSetupCode(url: string, code: string): void {
  process.stderr.write(
    `\nVelox is not set up yet. Open ${url}/ in a browser and enter the setup code:\n\n` +
      `    Setup code: ${code}\n\n` +
      '  (a new code is made at each start until setup is complete; the Swift API answers 503 until then)\n\n',
  )
}

function waitForSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
