/**
 * `velox user add|list|remove|passwd`: manages the local users of `<data>/etc/users.json`
 * through identity/users.ts, safe to run while the server runs (it never opens the state
 * database; the server notices the file change). Must not print keys or hashes.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UserDirectory, usersFilePath, type User } from '../../appliance/src/identity/users.js'
import { UsageError, exitOnError } from './usage.js'

export const summary = 'manage local Swift users (add, list, remove, passwd)'

const USAGE = `usage:
  velox user add    [--data DIR] ACCOUNT USER KEY [--admin] [--reseller-admin] [--group NAME]…
  velox user list   [--data DIR]
  velox user remove [--data DIR] ACCOUNT USER
  velox user passwd [--data DIR] ACCOUNT USER NEWKEY

KEY may be "-" to read it from the first line of standard input (keeps it out of shell history).
--data defaults to ./data. The server picks changes up within a second.`

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', default: './data' },
        admin: { type: 'boolean', default: false },
        'reseller-admin': { type: 'boolean', default: false },
        group: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    console.error(`velox user: ${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const [sub, ...args] = positionals
  const directory = new UserDirectory(usersFilePath(resolve(values.data)), { statIntervalMs: 0 })
  try {
    switch (sub) {
      case 'add':
        return await add(directory, args, values)
      case 'list':
        return await list(directory, args)
      case 'remove':
        return await remove(directory, args)
      case 'passwd':
        return await passwd(directory, args)
      default:
        throw new UsageError(sub ? `unknown subcommand ${JSON.stringify(sub)}` : 'missing subcommand')
    }
  } catch (err) {
    return exitOnError('user', USAGE, err)
  }
}

function expectArgs(args: string[], names: string[]): string[] {
  if (args.length !== names.length) {
    throw new UsageError(`expected ${names.join(' ')}, got ${args.length} argument${args.length === 1 ? '' : 's'}`)
  }
  return args
}

/** "-" reads the key from stdin so that it stays out of argv and shell history. */
function readKey(arg: string): string {
  if (arg !== '-') return arg
  return (readFileSync(0, 'utf8').split(/\r?\n/, 1)[0] ?? '')
}

async function add(
  directory: UserDirectory,
  args: string[],
  flags: { admin: boolean; 'reseller-admin': boolean; group: string[] },
): Promise<number> {
  const [account, user, key] = expectArgs(args, ['ACCOUNT', 'USER', 'KEY']) as [string, string, string]
  const u = await directory.add({
    account,
    user,
    key: readKey(key),
    admin: flags.admin,
    resellerAdmin: flags['reseller-admin'],
    groups: flags.group,
  })
  console.log(`added ${u.account}:${u.user}`)
  return 0
}

async function list(directory: UserDirectory, args: string[]): Promise<number> {
  expectArgs(args, [])
  const users = await directory.list()
  console.log(formatTable(users))
  return 0
}

async function remove(directory: UserDirectory, args: string[]): Promise<number> {
  const [account, user] = expectArgs(args, ['ACCOUNT', 'USER']) as [string, string]
  await directory.remove(account, user)
  console.log(`removed ${account}:${user}`)
  return 0
}

async function passwd(directory: UserDirectory, args: string[]): Promise<number> {
  const [account, user, key] = expectArgs(args, ['ACCOUNT', 'USER', 'NEWKEY']) as [string, string, string]
  await directory.setKey(account, user, readKey(key))
  console.log(`key changed for ${account}:${user}`)
  return 0
}

export function formatTable(users: readonly User[]): string {
  const rows = [
    ['ACCOUNT', 'USER', 'ADMIN', 'RESELLER ADMIN', 'GROUPS'],
    ...users.map((u) => [u.account, u.user, u.admin ? 'yes' : 'no', u.resellerAdmin ? 'yes' : 'no', u.groups.join(',')]),
  ]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')
}
