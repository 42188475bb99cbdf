/**
 * `velox ring`: swift-ring-builder's commands on a Velox builder file (create, add, set_weight, remove,
 * rebalance, set_overload, pretend_min_part_hours_passed, write_ring, show), and `velox ring get-nodes`
 * (like swift-get-nodes) on any .ring.gz. Output and exit codes follow Swift's (0 ok, 1 warning, 2 error).
 * It only parses arguments and prints; placement and files are appliance/src/ring's.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { readHashPathSecrets } from '../../appliance/src/config/index.js'
import { withRingLock } from '../../appliance/src/disks/ring-lock.js'
import { isVeloxError } from '../../appliance/src/errors.js'
import { MAX_BALANCE, RingBuilder, ringPathForBuilder } from '../../appliance/src/ring/builder.js'
import { formatDevice, parseAddValue, parseSearchValue } from '../../appliance/src/ring/dev-search.js'
import { parseRingFile, serializeRing } from '../../appliance/src/ring/ring-file.js'
import { Ring, type HashPathSecrets } from '../../appliance/src/ring/ring.js'
import type { RingDevice } from '../../appliance/src/ring/types.js'
import { UsageError, exitOnError } from './usage.js'

export const summary = 'build Swift-compatible rings (swift-ring-builder commands) and look up nodes'

const USAGE = `usage:
  velox ring BUILDER                                     show devices, balance and dispersion
  velox ring BUILDER create PART_POWER REPLICAS MIN_PART_HOURS
  velox ring BUILDER add [rR]zZ-IP:PORT[RRIP:RPORT]/DEVICE[_META] WEIGHT […]
  velox ring BUILDER set_weight DEVSEARCH WEIGHT […] [--yes]
  velox ring BUILDER remove DEVSEARCH […] [--yes]
  velox ring BUILDER rebalance [--seed N] [--force]     writes the .ring.gz next to BUILDER
  velox ring BUILDER set_overload FACTOR | pretend_min_part_hours_passed | write_ring
  velox ring BUILDER set_replicas REPLICAS                takes effect at the next rebalance
  velox ring get-nodes RING.ring.gz ACCOUNT [CONTAINER [OBJECT]] (--swift-conf FILE | --data DIR) [--all]
  velox ring get-nodes RING.ring.gz --stdin (--swift-conf FILE | --data DIR)
      reads account/container/object per line, prints one JSON line each

DEVSEARCH is d<id> or Swift's search form, e.g. r1z2-10.0.0.1:6200/sdb. BUILDER (e.g. object.builder)
is Velox's JSON builder file; its ring is object.ring.gz beside it.`

const EXIT_SUCCESS = 0
const EXIT_WARNING = 1
const EXIT_ERROR = 2

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        seed: { type: 'string' },
        force: { type: 'boolean', short: 'f', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        'swift-conf': { type: 'string' },
        data: { type: 'string' },
        stdin: { type: 'boolean', default: false },
        all: { type: 'boolean', short: 'a', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    console.error(`velox ring: ${(err as Error).message}\n${USAGE}`)
    return EXIT_ERROR
  }
  const { values: opts, positionals } = parsed
  if (opts.help || positionals.length === 0) {
    console.log(USAGE)
    return opts.help ? EXIT_SUCCESS : EXIT_ERROR
  }
  try {
    if (positionals[0] === 'get-nodes') return await getNodes(positionals.slice(1), opts)
    const [builderPath, command = 'show', ...args] = positionals
    // Every change holds the lock the running appliance takes for its own ring edits.
    if (command !== 'show') return withRingLock(dirname(resolve(builderPath)), `velox ring ${command}`, () => runCommand(builderPath, command, args, opts))
    return runCommand(builderPath, command, args, opts)
  } catch (err) {
    return exitOnError('ring', USAGE, err, EXIT_ERROR)
  }
}

function runCommand(builderPath: string, command: string, args: string[], opts: { yes: boolean; seed?: string; force: boolean }): number {
  switch (command) {
    case 'show':
      return show(builderPath)
    case 'create':
      return create(builderPath, args)
    case 'add':
      return add(builderPath, args)
    case 'set_weight':
      return setWeight(builderPath, args, opts.yes)
    case 'remove':
      return remove(builderPath, args, opts.yes)
    case 'rebalance':
      return rebalance(builderPath, opts.seed, opts.force)
    case 'set_overload':
      return setOverload(builderPath, args)
    case 'set_replicas':
      return setReplicas(builderPath, args)
    case 'pretend_min_part_hours_passed':
      return edit(builderPath, (b) => b.pretendMinPartHoursPassed())
    case 'write_ring':
      RingBuilder.load(builderPath).writeRing(ringPathForBuilder(builderPath))
      return EXIT_SUCCESS
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`)
  }
}

function create(path: string, args: string[]): number {
  if (args.length !== 3) throw new UsageError('create needs PART_POWER REPLICAS MIN_PART_HOURS')
  const [pp, replicas, hours] = args.map(Number)
  const b = RingBuilder.create(pp, replicas, hours)
  b.save(path)
  return EXIT_SUCCESS
}

function add(path: string, args: string[]): number {
  if (args.length === 0 || args.length % 2) throw new UsageError('add needs DEVICE WEIGHT pairs')
  return edit(path, (b) => {
    for (let i = 0; i < args.length; i += 2) {
      const v = parseAddValue(args[i])
      const weight = Number(args[i + 1])
      if (!(weight >= 0)) throw new UsageError(`invalid weight ${JSON.stringify(args[i + 1])}`)
      if (v.region === null) console.error(`WARNING: No region specified for ${args[i]}. Defaulting to region 1.`)
      const id = b.addDevice({ ...v, region: v.region ?? 1, weight })
      console.log(`Device ${formatDevice(b.devices[id]!)} with ${pyFloat(weight)} weight got id ${id}`)
    }
  })
}

/** The devices a search value names; more than one needs --yes, as swift-ring-builder asks. */
function findDevices(b: RingBuilder, search: string, yes: boolean): RingDevice[] {
  const devs = b.searchDevices(parseSearchValue(search))
  if (devs.length === 0) throw new UsageError(`search value ${JSON.stringify(search)} matched 0 devices; the builder is unchanged`)
  if (devs.length > 1 && !yes) {
    throw new UsageError(`search value ${JSON.stringify(search)} matched ${devs.length} devices:\n${devs.map((d) => `    ${formatDevice(d)}`).join('\n')}\nadd --yes to change them all`)
  }
  return devs
}

function setWeight(path: string, args: string[], yes: boolean): number {
  if (args.length === 0 || args.length % 2) throw new UsageError('set_weight needs DEVSEARCH WEIGHT pairs')
  return edit(path, (b) => {
    for (let i = 0; i < args.length; i += 2) {
      const weight = Number(args[i + 1])
      if (!(weight >= 0)) throw new UsageError(`invalid weight ${JSON.stringify(args[i + 1])}`)
      for (const d of findDevices(b, args[i], yes)) {
        b.setDeviceWeight(d.id, weight)
        console.log(`${formatDevice(d)} weight set to ${pyFloat(weight)}`)
      }
    }
  })
}

function remove(path: string, args: string[], yes: boolean): number {
  if (args.length === 0) throw new UsageError('remove needs DEVSEARCH')
  return edit(path, (b) => {
    for (const search of args) {
      for (const d of findDevices(b, search, yes)) {
        b.removeDevice(d.id)
        console.log(`${formatDevice(d)} marked for removal and will be removed next rebalance.`)
      }
    }
  })
}

function setOverload(path: string, args: string[]): number {
  const raw = args[0] ?? ''
  const overload = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number(raw)
  if (!(overload >= 0)) throw new UsageError(`invalid overload ${JSON.stringify(raw)}`)
  return edit(path, (b) => {
    b.setOverload(overload)
    console.log(`The overload factor is now ${(overload * 100).toFixed(2)}% (${overload.toFixed(6)})`)
  })
}

function setReplicas(path: string, args: string[]): number {
  const replicas = Number(args[0])
  if (args.length !== 1 || !(replicas >= 1)) throw new UsageError('set_replicas needs a replica count of at least 1')
  return edit(path, (b) => {
    b.setReplicas(replicas)
    console.log(`The replica count is now ${replicas.toFixed(6)}.\nThe change will take effect after the next rebalance.`)
  })
}

function edit(path: string, change: (b: RingBuilder) => void): number {
  const b = RingBuilder.load(path)
  change(b)
  b.save(path)
  return EXIT_SUCCESS
}

/** swift-ring-builder's rebalance: refuses to save a change under 1% unless devices changed or --force. */
function rebalance(path: string, seed: string | undefined, force: boolean): number {
  const b = RingBuilder.load(path)
  const devsChanged = b.devsChanged
  const secondsLeft = b.minPartSecondsLeft()
  const lastBalance = b.state.replica2part2dev ? b.getBalance() : 0
  const lastDispersion = b.dispersion
  const report = b.rebalance({ seed: seed === undefined ? undefined : Number(seed) })
  if (!(report.changedParts || force || report.removedDevs)) {
    console.log('No partitions could be reassigned.')
    if (secondsLeft > 0) {
      console.log(`The time between rebalances must be at least min_part_hours: ${b.state.minPartHours} hours (${timedelta(secondsLeft)} remaining)`)
    } else console.log('There is no need to do so at this time')
    return EXIT_WARNING
  }
  const balanceChanged = Math.abs(lastBalance - report.balance) >= 1 || (lastBalance === MAX_BALANCE && report.balance === MAX_BALANCE)
  const dispersionChanged = lastDispersion === null || Math.abs(lastDispersion - report.dispersion) >= 1
  if (!force && !devsChanged && !balanceChanged && !dispersionChanged) {
    console.log('Cowardly refusing to save rebalance as it did not change at least 1%.')
    return EXIT_WARNING
  }
  b.save(path)
  b.writeRing(ringPathForBuilder(path))
  console.log(
    `Reassigned ${report.changedParts} (${((100 * report.changedParts) / b.parts).toFixed(2)}%) partitions. ` +
      `Balance is now ${report.balance.toFixed(2)}.  Dispersion is now ${report.dispersion.toFixed(2)}`,
  )
  const rule = '-'.repeat(79)
  if (report.dispersion > 0) {
    console.log(`${rule}\nNOTE: Dispersion of ${report.dispersion.toFixed(6)} indicates some parts are not\n      optimally dispersed.\n\n      You may want to adjust some device weights, increase\n      the overload or review the dispersion report.\n${rule}`)
    return EXIT_WARNING
  }
  if (report.balance > 5 && report.balance / 100 > b.state.overload) {
    console.log(`${rule}\nNOTE: Balance of ${report.balance.toFixed(2)} indicates you should push this \n      ring, wait at least ${b.state.minPartHours} hours, and rebalance/repush.\n${rule}`)
    return EXIT_WARNING
  }
  return EXIT_SUCCESS
}

function show(path: string): number {
  const b = RingBuilder.load(path)
  const live = b.liveDevices()
  console.log(`${path}, build version ${b.version}, id ${b.id ?? '(not assigned)'}`)
  let balances = new Map<number, number>()
  let emptyError = ''
  try {
    balances = b.balancePerDevice()
  } catch (err) {
    if (!isVeloxError(err)) throw err
    emptyError = err.message
  }
  const balance = Math.max(0, ...[...balances.values()].map(Math.abs))
  const regions = new Set(live.map((d) => d.region)).size
  const zones = new Set(live.map((d) => `${d.region}/${d.zone}`)).size
  const dispersion = b.dispersion === null ? '' : `, ${b.dispersion.toFixed(2)} dispersion`
  console.log(`${b.parts} partitions, ${b.state.replicas.toFixed(6)} replicas, ${regions} regions, ${zones} zones, ${live.length} devices, ${balance.toFixed(2)} balance${dispersion}`)
  console.log(`The minimum number of hours before a partition can be reassigned is ${b.state.minPartHours} (${timedelta(b.minPartSecondsLeft())} remaining)`)
  console.log(`The overload factor is ${(b.state.overload * 100).toFixed(2)}% (${b.state.overload.toFixed(6)})`)
  const ringPath = ringPathForBuilder(path)
  if (!existsSync(ringPath)) console.log(`Ring file ${ringPath} not found, probably it hasn't been written yet`)
  else if (b.state.replica2part2dev) {
    let same = false
    try {
      same = serializeRing(parseRingFile(readFileSync(ringPath))).equals(serializeRing(b.getRingData()))
    } catch (err) {
      console.log(`Ring file ${ringPath} is invalid: ${(err as Error).message}`)
    }
    console.log(`Ring file ${ringPath} is ${same ? 'up-to-date' : 'obsolete'}`)
  }
  printDeviceTable(b, live, balances)
  if (emptyError) console.log(emptyError)
  return EXIT_SUCCESS
}

function printDeviceTable(b: RingBuilder, live: RingDevice[], balances: Map<number, number>): void {
  const br = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip)
  const w = {
    ip: Math.max(10, ...live.map((d) => br(d.ip).length)),
    port: Math.max(4, ...live.map((d) => String(d.port).length)),
    rip: Math.max(14, ...live.map((d) => br(d.replicationIp).length)),
    rport: Math.max(4, ...live.map((d) => String(d.replicationPort).length)),
    weight: Math.max(6, ...live.map((d) => d.weight.toFixed(2).length)),
  }
  console.log(
    `Devices:${'id'.padStart(5)} ${'region'.padStart(6)} ${'zone'.padStart(4)} ${'ip address'.padStart(w.ip)}:${'port'.padEnd(w.port)} ` +
      `${'replication ip'.padStart(w.rip)}:${'port'.padEnd(w.rport)} ${'name'.padStart(5)} ${'weight'.padStart(w.weight)} ` +
      `${'partitions'.padStart(10)} ${'balance'.padStart(7)} ${'flags'.padStart(5)} meta`,
  )
  const parts = b.partsPerDevice()
  const sorted = [...live].sort((x, y) => x.region - y.region || x.zone - y.zone || cmp(x.ip, y.ip) || cmp(x.device, y.device))
  for (const d of sorted) {
    console.log(
      `${String(d.id).padStart(13)} ${String(d.region).padStart(6)} ${String(d.zone).padStart(4)} ${br(d.ip).padStart(w.ip)}:${String(d.port).padEnd(w.port)} ` +
        `${br(d.replicationIp).padStart(w.rip)}:${String(d.replicationPort).padEnd(w.rport)} ${d.device.padStart(5)} ${d.weight.toFixed(2).padStart(w.weight)} ` +
        `${String(parts[d.id] ?? 0).padStart(10)} ${(balances.get(d.id) ?? 0).toFixed(2).padStart(7)} ${(b.isMarkedForRemoval(d.id) ? 'DEL' : '').padStart(5)} ${d.meta}`,
    )
  }
}

async function getNodes(args: string[], opts: { 'swift-conf'?: string; data?: string; stdin: boolean; all: boolean }): Promise<number> {
  const [ringPath, account, container, object] = args
  if (!ringPath) throw new UsageError('get-nodes needs RING.ring.gz')
  const ring = Ring.load(ringPath, hashSecrets(opts))
  if (opts.stdin) return getNodesStdin(ring)
  if (!account) throw new UsageError('get-nodes needs ACCOUNT (or --stdin)')
  const { partition, hash, nodes } = ring.getNodes(account, container, object)
  console.log(`\nAccount  \t${account}\nContainer\t${container ?? 'None'}\nObject   \t${object ?? 'None'}\n\n`)
  console.log(`Partition\t${partition}\nHash     \t${hash}\n`)
  const line = (d: RingDevice, handoff: boolean) => {
    const ip = d.ip.includes(':') ? `[${d.ip}]` : d.ip
    console.log(`Server:Port Device\t${ip}:${d.port} ${d.device}${handoff ? '\t [Handoff]' : ''}`)
  }
  for (const d of nodes) line(d, false)
  let shown = 0
  for (const d of ring.getMoreNodes(partition)) {
    if (!opts.all && shown++ >= nodes.length) break
    line(d, true)
  }
  return EXIT_SUCCESS
}

/** One JSON line per input path; output is batched because callers feed many thousands of paths. */
async function getNodesStdin(ring: Ring): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  let out: string[] = []
  for await (const raw of lines) {
    const path = raw.replace(/^\//, '')
    if (!path) continue
    const first = path.indexOf('/')
    const second = first < 0 ? -1 : path.indexOf('/', first + 1)
    const account = first < 0 ? path : path.slice(0, first)
    const container = first < 0 ? undefined : second < 0 ? path.slice(first + 1) : path.slice(first + 1, second)
    const object = second < 0 ? undefined : path.slice(second + 1)
    const partition = ring.getPart(account, container, object)
    const handoffs: number[] = []
    for (const h of ring.handoffDeviceIds(partition)) {
      handoffs.push(h.id)
      if (handoffs.length === 3) break
    }
    out.push(JSON.stringify({ path: raw, partition, primaries: ring.getPartDeviceIds(partition), handoffs }))
    if (out.length >= 1000) {
      process.stdout.write(out.join('\n') + '\n')
      out = []
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n')
  return EXIT_SUCCESS
}

function hashSecrets(opts: { 'swift-conf'?: string; data?: string }): HashPathSecrets {
  const conf = opts['swift-conf'] ?? (opts.data ? join(opts.data, 'etc', 'swift.conf') : undefined)
  if (!conf) throw new UsageError('get-nodes needs --swift-conf FILE or --data DIR for the hash path prefix and suffix')
  if (!existsSync(conf)) throw new UsageError(`no such file: ${conf}`)
  return readHashPathSecrets(conf)
}

/** Python's timedelta str: "1 day, 2:03:04" or "0:00:00". */
function timedelta(seconds: number): string {
  const s = Math.floor(seconds)
  const days = Math.floor(s / 86400)
  const rest = s % 86400
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms
}

function pyFloat(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
