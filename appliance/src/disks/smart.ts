/**
 * The one SMART parser (smartmontools ≥ 7, `smartctl --json -a`) for ATA/SATA, SCSI/SAS and
 * NVMe. `parseSmart` reads a document once into the figures that predict failure (the health
 * console's score, history and alerts use them); `parseSmartctl` summarises that reading for
 * the disks service (available, verdict, why failing, self-test state). Parsing only: system/
 * runs smartctl, so recorded outputs test it. Parsing never throws on a field a drive omits: a
 * missing figure is `undefined` in a report and `null` in a summary, never 0. A disk that does
 * not answer SMART (virtual disks, loop devices, USB bridges) is `available: false` with
 * smartctl's own reason.
 */
export type SmartProtocol = 'ATA' | 'SCSI' | 'NVMe' | 'unknown'

export interface SmartSelfTest {
  type: string
  status: string
  passed: boolean
  hours?: number
}

/** The predictive figures of one drive at one time. Counters are raw values. */
export interface SmartReport {
  device: string
  protocol: SmartProtocol
  model: string
  serial: string
  capacityBytes?: number
  /** smartctl's overall assessment; undefined when the drive gave none (no SMART). */
  passed?: boolean
  temperatureC?: number
  powerOnHours?: number
  reallocatedSectors?: number
  pendingSectors?: number
  offlineUncorrectable?: number
  crcErrors?: number
  reportedUncorrect?: number
  /** SCSI: grown defect list length; counted like reallocated sectors. */
  grownDefects?: number
  /** SCSI: uncorrected read+write+verify errors. */
  uncorrectedErrors?: number
  nvmeMediaErrors?: number
  nvmePercentageUsed?: number
  nvmeAvailableSpare?: number
  nvmeSpareThreshold?: number
  nvmeCriticalWarning?: number
  selfTests: SmartSelfTest[]
  /** The ATA attribute table as read (id, name, normalised value, threshold, raw), for the drill-down. */
  attributes: { id: number; name: string; value: number; worst: number; thresh: number; raw: number; failed: string }[]
}

/** The counters whose growth predicts failure, with the words the UI and alerts use. */
export const PREDICTIVE: { key: keyof SmartReport; label: string; weight: number }[] = [
  { key: 'reallocatedSectors', label: 'reallocated sectors', weight: 1 },
  { key: 'grownDefects', label: 'grown defects', weight: 1 },
  { key: 'pendingSectors', label: 'pending sectors', weight: 1.5 },
  { key: 'offlineUncorrectable', label: 'offline-uncorrectable sectors', weight: 1.5 },
  { key: 'reportedUncorrect', label: 'reported uncorrectable errors', weight: 1 },
  { key: 'uncorrectedErrors', label: 'uncorrected errors', weight: 1.5 },
  { key: 'nvmeMediaErrors', label: 'NVMe media errors', weight: 1.5 },
  { key: 'crcErrors', label: 'interface CRC errors', weight: 0.3 },
]

type J = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- smartctl's schema is wide and optional

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

export function parseSmart(device: string, doc: unknown): SmartReport {
  const d = (doc && typeof doc === 'object' ? doc : {}) as J
  const proto = String(d.device?.protocol ?? '')
  const protocol: SmartProtocol = proto === 'ATA' || proto === 'SCSI' || proto === 'NVMe' ? proto : 'unknown'
  const r: SmartReport = {
    device,
    protocol,
    model: String(d.model_name ?? d.scsi_model_name ?? ''),
    serial: String(d.serial_number ?? ''),
    capacityBytes: num(d.user_capacity?.bytes),
    passed: typeof d.smart_status?.passed === 'boolean' ? d.smart_status.passed : undefined,
    temperatureC: num(d.temperature?.current),
    powerOnHours: num(d.power_on_time?.hours),
    selfTests: [],
    attributes: [],
  }
  if (protocol === 'ATA') readAta(d, r)
  if (protocol === 'SCSI') readScsi(d, r)
  if (protocol === 'NVMe') readNvme(d, r)
  return r
}

function readAta(d: J, r: SmartReport): void {
  const table: J[] = Array.isArray(d.ata_smart_attributes?.table) ? d.ata_smart_attributes.table : []
  const raw = (id: number) => num(table.find((a) => a.id === id)?.raw?.value)
  for (const a of table) {
    r.attributes.push({ id: Number(a.id), name: String(a.name), value: Number(a.value), worst: Number(a.worst), thresh: Number(a.thresh), raw: Number(a.raw?.value ?? 0), failed: String(a.when_failed ?? '') })
  }
  r.reallocatedSectors = raw(5)
  r.reportedUncorrect = raw(187)
  r.pendingSectors = raw(197)
  r.offlineUncorrectable = raw(198)
  r.crcErrors = raw(199)
  r.powerOnHours ??= raw(9)
  // Attribute 194's raw value packs min/max in its upper bytes on some drives: keep the low byte.
  const t = raw(194)
  if (r.temperatureC === undefined && t !== undefined) r.temperatureC = t & 0xff
  const tests: J[] = d.ata_smart_self_test_log?.standard?.table ?? []
  r.selfTests = tests.map((t) => ({ type: String(t.type?.string ?? ''), status: String(t.status?.string ?? ''), passed: t.status?.passed !== false, hours: num(t.lifetime_hours) }))
}

function readScsi(d: J, r: SmartReport): void {
  r.grownDefects = num(d.scsi_grown_defect_list)
  const log = d.scsi_error_counter_log
  if (log) r.uncorrectedErrors = ['read', 'write', 'verify'].reduce((s, k) => s + (num(log[k]?.total_uncorrected_errors) ?? 0), 0)
  for (let i = 0; i < 20 && d[`scsi_self_test_${i}`]; i++) {
    const t = d[`scsi_self_test_${i}`]
    const status = String(t.result?.string ?? '')
    r.selfTests.push({ type: String(t.code?.string ?? ''), status, passed: num(t.result?.value) === 0, hours: num(t.power_on_time?.hours) })
  }
}

function readNvme(d: J, r: SmartReport): void {
  const h = d.nvme_smart_health_information_log ?? {}
  r.nvmeMediaErrors = num(h.media_errors)
  r.nvmePercentageUsed = num(h.percentage_used)
  r.nvmeAvailableSpare = num(h.available_spare)
  r.nvmeSpareThreshold = num(h.available_spare_threshold)
  r.nvmeCriticalWarning = num(h.critical_warning)
  r.temperatureC ??= num(h.temperature)
  r.powerOnHours ??= num(h.power_on_hours)
}

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

/** The report's counters whose value > 0 means sectors already lost or about to be, as the summary words them. */
const ATA_BAD_COUNTS: Record<number, string> = {
  5: 'reallocated sectors',
  187: 'reported uncorrectable errors',
  197: 'pending sectors',
  198: 'offline uncorrectable sectors',
}

/** The disks service's summary of one `smartctl --json -a` output, built on `parseSmart`. */
export function parseSmartctl(text: string): SmartSummary {
  let j: J
  try {
    j = JSON.parse(text) as J
  } catch {
    return unavailable(['smartctl answered something that is not JSON'])
  }
  const messages = ((j.smartctl?.messages ?? []) as Array<{ string?: string }>).map((m) => String(m.string ?? ''))
  const exit = Number(j.smartctl?.exit_status ?? 0)
  const r = parseSmart(String(j.device?.name ?? ''), j)
  // Bits 0-1: the command line or the device open failed: nothing was read.
  if ((exit & 0b11) !== 0 || r.protocol === 'unknown') return unavailable(messages)
  if (j.smart_support && j.smart_support.available === false) return unavailable([...messages, 'the device has no SMART support'])
  const protocol = r.protocol
  const failing: string[] = []
  if (r.passed === false) failing.push('SMART overall health: FAILED')
  if (protocol === 'ATA') {
    for (const a of r.attributes) {
      if (a.failed === 'now') failing.push(`attribute ${a.id} ${a.name} below its threshold now`)
      if (ATA_BAD_COUNTS[a.id] && a.raw > 0) failing.push(`${a.raw} ${ATA_BAD_COUNTS[a.id]}`)
    }
  }
  if (protocol === 'NVMe') {
    if (r.nvmeCriticalWarning) failing.push(`NVMe critical warning 0x${r.nvmeCriticalWarning.toString(16).padStart(2, '0')}`)
    if (r.nvmeAvailableSpare !== undefined && r.nvmeSpareThreshold !== undefined && r.nvmeAvailableSpare < r.nvmeSpareThreshold) failing.push(`available spare ${r.nvmeAvailableSpare}% below threshold ${r.nvmeSpareThreshold}%`)
    if (r.nvmeMediaErrors) failing.push(`${r.nvmeMediaErrors} media errors`)
  }
  if (protocol === 'SCSI') {
    if (r.grownDefects) failing.push(`${r.grownDefects} grown defects`)
    // The report sums the directions; the summary names each one.
    for (const dir of ['read', 'write', 'verify'] as const) {
      const n = numOrNull(j.scsi_error_counter_log?.[dir]?.total_uncorrected_errors) ?? 0
      if (n > 0) failing.push(`${n} uncorrected ${dir} errors`)
    }
  }
  return {
    available: true,
    protocol,
    passed: r.passed ?? null,
    temperatureC: r.temperatureC ?? null,
    powerOnHours: r.powerOnHours ?? null,
    failing,
    selfTest: selfTestSupport(j, protocol),
    lastSelfTest: lastSelfTest(j, protocol),
    messages,
  }
}

function selfTestSupport(j: J, protocol: SmartSummary['protocol']): SmartSummary['selfTest'] {
  if (protocol === 'ATA') {
    const supported = j.ata_smart_data?.capabilities?.self_tests_supported === true
    return { supported, shortMinutes: supported ? numOrNull(j.ata_smart_data?.self_test?.polling_minutes?.short) : null }
  }
  if (protocol === 'NVMe') {
    // smartctl prints the self-test log only for controllers that implement Device Self-test.
    const supported = j.nvme_self_test_log !== undefined
    return { supported, shortMinutes: supported ? 2 : null }
  }
  // SCSI devices all accept the default background short self-test.
  return { supported: true, shortMinutes: 2 }
}

function lastSelfTest(j: J, protocol: SmartSummary['protocol']): SmartSummary['lastSelfTest'] {
  if (protocol === 'ATA') {
    const s = j.ata_smart_data?.self_test?.status as J | undefined
    if (!s) return null
    const value = numOrNull(s.value) ?? 0
    const running = value >> 4 === 0xf
    return { running, remainingPercent: running ? (numOrNull(s.remaining_percent) ?? (value & 0xf) * 10) : null, passed: running ? null : typeof s.passed === 'boolean' ? s.passed : value === 0, text: String(s.string ?? '') }
  }
  if (protocol === 'NVMe') {
    const log = j.nvme_self_test_log as J | undefined
    if (!log) return null
    const current = log.current_self_test_operation as J | undefined
    if (current && numOrNull(current.value) !== 0) {
      return { running: true, remainingPercent: 100 - (numOrNull(log.current_self_test_completion_percent) ?? 0), passed: null, text: String(current.string ?? 'in progress') }
    }
    const last = (log.table as J[] | undefined)?.[0]
    if (!last) return null
    const result = numOrNull(last.self_test_result?.value)
    return { running: false, remainingPercent: null, passed: result === 0, text: String(last.self_test_result?.string ?? '') }
  }
  const last = j.scsi_self_test_0 as J | undefined
  if (!last) return null
  const code = numOrNull(last.result?.value)
  const running = code === 15
  return { running, remainingPercent: null, passed: running ? null : code === 0, text: String(last.result?.string ?? '') }
}

function unavailable(messages: string[]): SmartSummary {
  return { available: false, protocol: null, passed: null, temperatureC: null, powerOnHours: null, failing: [], selfTest: { supported: false, shortMinutes: null }, lastSelfTest: null, messages }
}

function numOrNull(v: unknown): number | null {
  return num(v) ?? null
}
