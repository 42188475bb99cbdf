/**
 * SMART as the health console needs it: `smartctl --json -a` output (ATA, SCSI/SAS, NVMe)
 * reduced to the few figures that predict failure, and the `SmartSource` seam every reader
 * goes through, so tests feed recorded outputs and the appliance feeds the real `smartctl`.
 * Parsing never throws on a field a drive omits: a missing figure is `undefined`, not 0.
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

/** Where SMART comes from: the real smartctl on the appliance, recorded outputs in tests. */
export interface SmartSource {
  /** Device names (e.g. "sda", "nvme0") that answer SMART. */
  devices(): Promise<string[]>
  /** The `smartctl --json -a` document of one device. */
  read(device: string): Promise<unknown>
}

/** A source answering from recorded documents (tests, demos). `set` replaces one. */
export class RecordedSmartSource implements SmartSource {
  private readonly docs = new Map<string, unknown>()
  constructor(docs: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(docs)) this.docs.set(k, v)
  }
  set(device: string, doc: unknown): void {
    this.docs.set(device, doc)
  }
  async devices(): Promise<string[]> {
    return [...this.docs.keys()]
  }
  async read(device: string): Promise<unknown> {
    return this.docs.get(device)
  }
}

type J = Record<string, any> // smartctl documents its JSON loosely; parse defensively

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
