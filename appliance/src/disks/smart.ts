/**
 * SMART from `smartctl --json -a` (smartmontools ≥ 7): the overall verdict, temperature,
 * power-on hours and the handful of counters that predict a dying disk, for ATA/SATA, SCSI/SAS
 * and NVMe, plus what the short self-test reports. Parsing only (system/ runs smartctl), so
 * recorded outputs test it; a disk that does not answer SMART (virtual disks, loop devices,
 * USB bridges) is `available: false` with smartctl's own reason.
 */

export interface SmartSummary {
  /** smartctl could read SMART data from the disk. */
  available: boolean
  protocol: 'ATA' | 'SCSI' | 'NVMe' | null
  /** The drive's own verdict (null: none given). */
  passed: boolean | null
  temperatureC: number | null
  powerOnHours: number | null
  /** Why the disk is judged failing (empty when it is not). */
  failing: string[]
  /** Whether a short self-test can be started, and its polling time. */
  selfTest: { supported: boolean; shortMinutes: number | null }
  /** The self-test now running or last run (ATA, NVMe, SCSI where reported). */
  lastSelfTest: { running: boolean; remainingPercent: number | null; passed: boolean | null; text: string } | null
  /** smartctl's messages when it could not read SMART ("Unable to detect device type"). */
  messages: string[]
}

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- smartctl's schema is wide and optional

/** ATA attributes whose raw count > 0 means sectors already lost or about to be. */
const ATA_BAD_COUNTS: Record<number, string> = {
  5: 'reallocated sectors',
  187: 'reported uncorrectable errors',
  197: 'pending sectors',
  198: 'offline uncorrectable sectors',
}

export function parseSmartctl(text: string): SmartSummary {
  let j: Json
  try {
    j = JSON.parse(text) as Json
  } catch {
    return unavailable(['smartctl answered something that is not JSON'])
  }
  const messages = ((j.smartctl?.messages ?? []) as Array<{ string?: string }>).map((m) => String(m.string ?? ''))
  const exit = Number(j.smartctl?.exit_status ?? 0)
  const protocol = (['ATA', 'SCSI', 'NVMe'] as const).find((p) => p === j.device?.protocol) ?? null
  // Bits 0-1: the command line or the device open failed: nothing was read.
  if ((exit & 0b11) !== 0 || !protocol) return unavailable(messages)
  if (j.smart_support && j.smart_support.available === false) return unavailable([...messages, 'the device has no SMART support'])

  const failing: string[] = []
  const passed = typeof j.smart_status?.passed === 'boolean' ? (j.smart_status.passed as boolean) : null
  if (passed === false) failing.push('SMART overall health: FAILED')
  if (protocol === 'ATA') failing.push(...ataFailing(j))
  if (protocol === 'NVMe') failing.push(...nvmeFailing(j))
  if (protocol === 'SCSI') failing.push(...scsiFailing(j))

  return {
    available: true,
    protocol,
    passed,
    temperatureC: num(j.temperature?.current) ?? num(j.nvme_smart_health_information_log?.temperature),
    powerOnHours: num(j.power_on_time?.hours) ?? num(j.nvme_smart_health_information_log?.power_on_hours),
    failing,
    selfTest: selfTestSupport(j, protocol),
    lastSelfTest: lastSelfTest(j, protocol),
    messages,
  }
}

function ataFailing(j: Json): string[] {
  const out: string[] = []
  for (const a of (j.ata_smart_attributes?.table ?? []) as Json[]) {
    if (a.when_failed === 'now') out.push(`attribute ${a.id} ${a.name} below its threshold now`)
    const label = ATA_BAD_COUNTS[Number(a.id)]
    const raw = num(a.raw?.value)
    if (label && raw !== null && raw > 0) out.push(`${raw} ${label}`)
  }
  return out
}

function nvmeFailing(j: Json): string[] {
  const log = j.nvme_smart_health_information_log as Json | undefined
  if (!log) return []
  const out: string[] = []
  const warn = num(log.critical_warning) ?? 0
  if (warn !== 0) out.push(`NVMe critical warning 0x${warn.toString(16).padStart(2, '0')}`)
  const spare = num(log.available_spare)
  const threshold = num(log.available_spare_threshold)
  if (spare !== null && threshold !== null && spare < threshold) out.push(`available spare ${spare}% below threshold ${threshold}%`)
  const media = num(log.media_errors) ?? 0
  if (media > 0) out.push(`${media} media errors`)
  return out
}

function scsiFailing(j: Json): string[] {
  const out: string[] = []
  const grown = num(j.scsi_grown_defect_list)
  if (grown !== null && grown > 0) out.push(`${grown} grown defects`)
  for (const dir of ['read', 'write', 'verify'] as const) {
    const n = num(j.scsi_error_counter_log?.[dir]?.total_uncorrected_errors) ?? 0
    if (n > 0) out.push(`${n} uncorrected ${dir} errors`)
  }
  return out
}

function selfTestSupport(j: Json, protocol: SmartSummary['protocol']): SmartSummary['selfTest'] {
  if (protocol === 'ATA') {
    const supported = j.ata_smart_data?.capabilities?.self_tests_supported === true
    return { supported, shortMinutes: supported ? num(j.ata_smart_data?.self_test?.polling_minutes?.short) : null }
  }
  if (protocol === 'NVMe') {
    // smartctl prints the self-test log only for controllers that implement Device Self-test.
    const supported = j.nvme_self_test_log !== undefined
    return { supported, shortMinutes: supported ? 2 : null }
  }
  // SCSI devices all accept the default background short self-test.
  return { supported: true, shortMinutes: 2 }
}

function lastSelfTest(j: Json, protocol: SmartSummary['protocol']): SmartSummary['lastSelfTest'] {
  if (protocol === 'ATA') {
    const s = j.ata_smart_data?.self_test?.status as Json | undefined
    if (!s) return null
    const value = num(s.value) ?? 0
    const running = value >> 4 === 0xf
    return { running, remainingPercent: running ? (num(s.remaining_percent) ?? (value & 0xf) * 10) : null, passed: running ? null : typeof s.passed === 'boolean' ? s.passed : value === 0, text: String(s.string ?? '') }
  }
  if (protocol === 'NVMe') {
    const log = j.nvme_self_test_log as Json | undefined
    if (!log) return null
    const current = log.current_self_test_operation as Json | undefined
    if (current && num(current.value) !== 0) {
      return { running: true, remainingPercent: 100 - (num(log.current_self_test_completion_percent) ?? 0), passed: null, text: String(current.string ?? 'in progress') }
    }
    const last = (log.table as Json[] | undefined)?.[0]
    if (!last) return null
    const result = num(last.self_test_result?.value)
    return { running: false, remainingPercent: null, passed: result === 0, text: String(last.self_test_result?.string ?? '') }
  }
  const last = j.scsi_self_test_0 as Json | undefined
  if (!last) return null
  const code = num(last.result?.value)
  const running = code === 15
  return { running, remainingPercent: null, passed: running ? null : code === 0, text: String(last.result?.string ?? '') }
}

function unavailable(messages: string[]): SmartSummary {
  return { available: false, protocol: null, passed: null, temperatureC: null, powerOnHours: null, failing: [], selfTest: { supported: false, shortMinutes: null }, lastSelfTest: null, messages }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}
