/**
 * A disk's life in the appliance: format (XFS with a label, mounted by UUID, identity file,
 * recorded in the mount table) → add (ring device, weight from size, optional ramp) → drain
 * (weight 0 until nothing is left to move) → remove; replace (old one drained or failed, new
 * one formatted and added, the old one's bay shown and its LED blinked); fail (unmounted, out
 * of the ring so that its replicas are re-created elsewhere). Each ring change is one step:
 * builder, rebalance and new ring files, then the running appliance is told.
 */
import { mkdirSync, readdirSync, rmdirSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { checkDeviceName } from '../system/validate.js'
import { VELOX_LABEL_PREFIX, type DiscoveredDisk } from './discovery.js'
import { mountPointOf, writeIdentity } from './mounts.js'
import type { DiskRecord } from './registry.js'
import { weightForSize } from './ring-placement.js'
import type { DiskService, DiskView } from './service.js'

export interface AddOptions {
  /** Gradual ramp: start at this percentage of the weight and add as much per step. */
  rampPercent?: number
  /** Add without a passed burn-in (the admin's explicit choice). */
  skipBurnIn?: boolean
}

/** Formats a whole disk XFS, mounts it by UUID (noatime) and records it. */
export async function formatDisk(svc: DiskService, id: string, opts: { confirmSerial?: string } = {}): Promise<DiskView> {
  const d = await svc.disk(id)
  svc.checkDestructive(d, opts.confirmSerial, 'format')
  if (svc.jobs.runningFor(id)) throw new VeloxError('conflict', `${id} has a burn-in running`)
  const old = svc.registry.get(id)
  const deviceName = old?.deviceName ?? nextDeviceName(svc)
  const mp = mountPointOf(svc.system.devicesRoot, deviceName)
  if (d.mountpoints.includes(mp)) await svc.system.umount(mp)
  await svc.system.wipefs(d.path)
  await svc.system.mkfsXfs(d.path, `${VELOX_LABEL_PREFIX}${deviceName}`)
  await svc.system.lsblk() // the device set may list the new filesystem's partitions
  const uuid = await svc.system.blkidUuid(d.path)
  if (!uuid) throw new VeloxError('internal', `mkfs.xfs left ${d.path} without a filesystem UUID`)
  mkdirSync(mp, { recursive: true })
  await svc.system.mountByUuid(uuid, mp)
  const now = new Date().toISOString()
  writeIdentity(mp, { clusterId: svc.registry.clusterId(), deviceName, diskId: id, serial: d.serial, formattedAt: now })
  const emptyUsedBytes = usedBytes(mp)
  const rec: DiskRecord = {
    id,
    deviceName,
    serial: d.serial,
    model: d.model,
    sizeBytes: d.sizeBytes,
    uuid,
    emptyUsedBytes,
    state: 'formatted',
    burnIn: svc.registry.burnIn(id),
    formattedAt: now,
    updatedAt: now,
  }
  svc.registry.put(rec)
  svc.opts.log.info('disk formatted', { disk: id, device: deviceName, uuid })
  return svc.get(id)
}

/** Puts a formatted, mounted disk into the three rings. */
export async function addDisk(svc: DiskService, id: string, opts: AddOptions = {}): Promise<DiskView> {
  const rec = recordIn(svc, id, ['formatted'], 'format it first')
  const ramp = opts.rampPercent
  if (ramp !== undefined && !(Number.isInteger(ramp) && ramp >= 1 && ramp <= 100)) throw new VeloxError('bad-request', 'rampPercent must be an integer 1..100')
  const burnIn = svc.registry.burnIn(id) ?? rec.burnIn
  if (!opts.skipBurnIn && !burnIn?.passed) {
    throw new VeloxError('precondition-failed', burnIn ? `burn-in failed: ${burnIn.reason}` : 'burn it in first (or add with skipBurnIn)')
  }
  const mounted = await svc.system.mountedSource(mountPointOf(svc.system.devicesRoot, rec.deviceName))
  if (mounted?.uuid !== rec.uuid) throw new VeloxError('conflict', `${rec.deviceName} is not mounted`)
  const target = weightForSize(rec.sizeBytes)
  const first = ramp && ramp < 100 ? weightFor(target, ramp) : target
  const ringIds = svc.ring.add(rec.deviceName, first, (await svc.disk(id)).media)
  svc.registry.update(id, { state: 'in-ring', ringIds, targetWeight: target, rampPercent: ramp && ramp < 100 ? ramp : undefined })
  svc.opts.log.info('disk added to the rings', { disk: id, device: rec.deviceName, weight: first, target })
  await svc.ringChanged()
  return svc.get(id)
}

/** Weight 0: its partitions move to the other devices; `drainStatus` shows what is left. */
export async function drainDisk(svc: DiskService, id: string): Promise<DiskView> {
  const rec = recordIn(svc, id, ['in-ring', 'draining'], 'only a disk in the ring can be drained')
  svc.ring.setWeight(rec.ringIds!, 0)
  svc.registry.update(id, { state: 'draining', rampPercent: undefined })
  await svc.ringChanged()
  return svc.get(id)
}

export interface DrainStatus {
  /** Partition-replicas the rings still assign to the disk. */
  ringPartitions: number
  /** Object partitions (directories) still on the disk, and their bytes. */
  partitionsOnDisk: number
  bytesOnDisk: number
  drained: boolean
}

/** What a draining disk still holds; marks it drained when nothing is left. */
export function drainStatus(svc: DiskService, id: string): DrainStatus {
  const rec = recordIn(svc, id, ['draining', 'drained'], 'it is not draining')
  const assigned = svc.ring.assigned(rec.ringIds!)
  const ringPartitions = Object.values(assigned.partitions).reduce((a, b) => a + b, 0)
  const onDisk = leftOnDisk(mountPointOf(svc.system.devicesRoot, rec.deviceName), rec.emptyUsedBytes ?? 0)
  const drained = ringPartitions === 0 && onDisk.partitions === 0
  if (drained && rec.state === 'draining') svc.registry.update(id, { state: 'drained' })
  return { ringPartitions, partitionsOnDisk: onDisk.partitions, bytesOnDisk: onDisk.bytes, drained }
}

/** Takes a drained (or failed) disk out of the rings and unmounts it. */
export async function removeDisk(svc: DiskService, id: string): Promise<{ id: string; deviceName: string; state: 'removed' }> {
  const rec = recordIn(svc, id, ['draining', 'drained', 'failed', 'formatted'], 'drain it first')
  if (rec.state === 'draining' && !drainStatus(svc, id).drained) throw new VeloxError('conflict', `${rec.deviceName} still holds data: wait until it is drained`)
  if (rec.ringIds && svc.ring.contains(rec.ringIds)) {
    svc.ring.remove(rec.ringIds)
    await svc.ringChanged()
  }
  // Its databases closed first: an open file keeps the unmount from happening (target is busy).
  await svc.deviceGone(rec.deviceName)
  const mp = mountPointOf(svc.system.devicesRoot, rec.deviceName)
  if (await svc.system.mountedSource(mp).catch(() => undefined)) await svc.system.umount(mp, rec.state === 'failed')
  removeMountPoint(svc, mp)
  // A replaced disk's locate LED was blinking so that someone pulls the right one; stop it.
  const present = (await svc.discover(id).catch(() => []))[0]
  if (present) await svc.system.ledLocate(present.path, false).catch(() => undefined)
  svc.registry.update(id, { state: 'removed' })
  svc.opts.log.info('disk removed', { disk: id, device: rec.deviceName })
  return { id, deviceName: rec.deviceName, state: 'removed' }
}

export interface ReplaceResult {
  old: { id: string; deviceName: string; serial: string | null; bay: string | null; path: string; state: string }
  /** Whether the old disk's locate LED is blinking, and ledctl's word on it. */
  locateLed: { ok: boolean; message: string }
  new: DiskView
}

/** Drains (or keeps failed) the old disk, blinks its LED, formats and adds the new one. */
export async function replaceDisk(svc: DiskService, oldId: string, opts: { with: string; confirmSerial?: string } & AddOptions): Promise<ReplaceResult> {
  const rec = recordIn(svc, oldId, ['in-ring', 'draining', 'drained', 'failed'], 'only a disk in the ring can be replaced')
  if (opts.with === oldId) throw new VeloxError('bad-request', 'a disk cannot replace itself')
  const newRec = svc.registry.get(opts.with)
  if (!newRec || newRec.state === 'removed') await formatDisk(svc, opts.with, { confirmSerial: opts.confirmSerial })
  else if (newRec.state !== 'formatted') throw new VeloxError('conflict', `${opts.with} is already ${newRec.state}`)
  // The new disk first: draining or removing the old one must never leave fewer devices than replicas.
  const fresh = await addDisk(svc, opts.with, opts)
  if (rec.state === 'in-ring') await drainDisk(svc, oldId)
  if (rec.state === 'failed' && rec.ringIds && svc.ring.contains(rec.ringIds)) {
    svc.ring.remove(rec.ringIds)
    await svc.ringChanged()
  }
  const old = (await svc.discover()).find((d: DiscoveredDisk) => d.id === oldId)
  const locateLed = old ? await svc.system.ledLocate(old.path, true) : { ok: false, message: 'the old disk is not present' }
  const now = svc.registry.get(oldId)!
  return { old: { id: oldId, deviceName: rec.deviceName, serial: rec.serial, bay: old?.hctl ?? null, path: old?.path ?? '', state: now.state }, locateLed, new: fresh }
}

/** Marks a disk failed: out of the rings (its replicas are re-created elsewhere), unmounted. */
export async function failDisk(svc: DiskService, id: string, reason: string): Promise<void> {
  const rec = svc.registry.get(id)
  if (!rec || rec.state === 'failed' || rec.state === 'removed') return
  svc.registry.update(id, { state: 'failed', failedReason: reason })
  svc.opts.log.error('disk failed', { disk: id, device: rec.deviceName, reason })
  // Not awaited: a shut-down filesystem may never answer the close; the unmount below is lazy.
  void svc.deviceGone(rec.deviceName).catch((err: Error) => svc.opts.log.warn('closing a failed disk', { device: rec.deviceName, error: err.message }))
  if (rec.ringIds) {
    try {
      svc.ring.remove(rec.ringIds)
      await svc.ringChanged()
    } catch (err) {
      // Too few devices left: it stays in the rings (placement routes around it) until replaced.
      svc.opts.log.error('failed disk stays in the rings', { device: rec.deviceName, reason: (err as Error).message })
    }
  }
  const mp = mountPointOf(svc.system.devicesRoot, rec.deviceName)
  // Lazy: a shut-down filesystem may keep busy references; it must leave the namespace anyway.
  await svc.system.umount(mp, true).catch((err: Error) => svc.opts.log.warn('unmounting a failed disk', { device: rec.deviceName, error: err.message }))
  removeMountPoint(svc, mp)
}

/**
 * Removes an unmounted disk's empty mount point, so that nothing (a restart opening the
 * devices of the rings) can mistake the directory for the disk and fill the root filesystem.
 * rmdir only removes an empty directory: if the unmount did not happen, nothing is lost.
 */
function removeMountPoint(svc: DiskService, mp: string): void {
  try {
    rmdirSync(mp)
  } catch (err) {
    svc.opts.log.warn('mount point left in place', { mountPoint: mp, error: (err as Error).message })
  }
}

function recordIn(svc: DiskService, id: string, states: DiskRecord['state'][], hint: string): DiskRecord {
  const rec = svc.registry.get(id)
  if (!rec || !states.includes(rec.state)) throw new VeloxError('conflict', `${id} is ${rec?.state ?? 'not a Velox disk'}: ${hint}`)
  return rec
}

/** disk1, disk2, …: never reusing a name a record ever had (a ring may still know it); at
 *  most 9 characters, so that "vx-" + name fits XFS's 12-byte label. */
function nextDeviceName(svc: DiskService): string {
  const used = new Set(svc.registry.all().map((r) => r.deviceName))
  for (let i = 1; ; i++) if (!used.has(`disk${i}`)) return checkDeviceName(`disk${i}`)
}

export function weightFor(target: number, percent: number): number {
  return Math.max(1e-6, Math.round(target * (percent / 100) * 1e6) / 1e6)
}

/** Bytes in use on a mounted filesystem (statfs): what the drain figure counts down. */
function usedBytes(mountPoint: string): number {
  const st = statfsSync(mountPoint)
  return (st.blocks - st.bfree) * st.bsize
}

/** What a disk still holds: its object partition directories (one readdir) and the bytes in use
 *  beyond the empty filesystem's (statfs; covers objects and the account/container databases). */
function leftOnDisk(mountPoint: string, emptyUsedBytes: number): { partitions: number; bytes: number } {
  let partitions = 0
  try {
    partitions = readdirSync(join(mountPoint, 'objects')).filter((n) => /^\d+$/.test(n)).length
  } catch {
    partitions = 0 // no objects/ yet: nothing was ever stored
  }
  let bytes = 0
  try {
    bytes = Math.max(0, usedBytes(mountPoint) - emptyUsedBytes)
  } catch {
    bytes = 0 // not mounted: nothing left that could be moved from here
  }
  return { partitions, bytes }
}

/**
 * One step of every gradual ramp and drain, when min_part_hours lets partitions move again:
 * ramping disks get another `rampPercent` of their weight (the last step lands on the target),
 * and the rings are rebalanced for draining disks whose partitions could not all move at once.
 * Both also wait for `replicationSettled` (the replicator found nothing left to move on the
 * current rings), so each step's data has arrived before the next share is given or taken:
 * a partition is never moved again while its last move is still on its way.
 * Called on a timer by the appliance and by `velox disk status`.
 */
export async function settleRings(svc: DiskService, replicationSettled: () => boolean = () => true): Promise<{ ramped: string[]; rebalanced: boolean; waiting?: 'min-part-hours' | 'replication' }> {
  const ramped: string[] = []
  if (svc.ring.secondsUntilSettled() > 0) return { ramped, rebalanced: false, waiting: 'min-part-hours' }
  let changed = false
  const ramping = svc.registry.all().filter((rec) => rec.state === 'in-ring' && rec.rampPercent && rec.ringIds && rec.targetWeight)
  const draining = svc.registry.all().some((r) => r.state === 'draining')
  const moving = (ramping.length > 0 || draining) && !replicationSettled()
  for (const rec of moving ? [] : ramping) {
    const current = svc.ring.assigned(rec.ringIds!).weight
    const target = rec.targetWeight!
    const next = Math.min(target, weightFor(target, Math.round((current / target) * 100) + rec.rampPercent!))
    svc.ring.setWeight(rec.ringIds!, next)
    svc.registry.update(rec.id, { rampPercent: next >= target ? undefined : rec.rampPercent })
    ramped.push(rec.deviceName)
    changed = true
    if (svc.ring.secondsUntilSettled() > 0) break // one ring move per min_part_hours
  }
  if (!changed && !moving) changed = draining && svc.ring.settle()
  if (changed) await svc.ringChanged()
  return { ramped, rebalanced: changed, ...(moving ? { waiting: 'replication' as const } : {}) }
}
