/**
 * What each replica of an object says when asked at once, and which answer is the newest
 * (issue 11 item 8: a device that missed a DELETE or an overwrite must not win a read because
 * it happens to be asked first). A replica answers with a data file (its timestamp and that of
 * a newer .meta), a tombstone (its timestamp), nothing (absent or quarantined), or an error.
 * Owns asking and ordering; it must not decide what to serve or write anything.
 */
import { isVeloxError } from '../errors.js'
import type { ObjectLocation, OpenObject } from '../store/types.js'
import type { NodeDirectory } from './nodes.js'
import { noteDeviceError } from './outcomes.js'
import type { Target } from './placement.js'

export type ReplicaAnswer =
  /** A data file; `object` when this replica was opened (the one read first), else only its
   *  file names were listed. */
  | { kind: 'data'; target: Target; timestamp: string; metaTimestamp?: string; object?: OpenObject }
  | { kind: 'tombstone'; target: Target; timestamp: string }
  /** Nothing there; `collision`: the hash directory holds another name (never repaired). */
  | { kind: 'absent'; target: Target; quarantined: boolean; collision: boolean }
  | { kind: 'error'; target: Target; error: unknown }

/**
 * Asks every target at once: the first is opened (it is served unless another is newer), the
 * others only list their directory, a few stat calls on one box. A node that cannot list is opened.
 */
export async function askReplicas(targets: Target[], loc: ObjectLocation, directory: NodeDirectory): Promise<ReplicaAnswer[]> {
  return Promise.all(targets.map((t, i) => (i === 0 || !t.node.objects.state ? openReplica(t, loc, directory) : listReplica(t, loc, directory))))
}

export async function openReplica(target: Target, loc: ObjectLocation, directory: NodeDirectory): Promise<ReplicaAnswer> {
  try {
    const object = await target.node.objects.open(loc)
    directory.markOk(target.dev)
    return { kind: 'data', target, timestamp: object.meta.timestamp, metaTimestamp: object.metaTimestamp, object }
  } catch (error) {
    if (isVeloxError(error, 'not-found')) {
      directory.markOk(target.dev)
      const detail = (error.detail ?? {}) as { timestamp?: unknown; quarantined?: unknown; collision?: unknown }
      if (typeof detail.timestamp === 'string') return { kind: 'tombstone', target, timestamp: detail.timestamp }
      return { kind: 'absent', target, quarantined: detail.quarantined === true, collision: detail.collision !== undefined }
    }
    noteDeviceError(error, target, directory)
    return { kind: 'error', target, error }
  }
}

async function listReplica(target: Target, loc: ObjectLocation, directory: NodeDirectory): Promise<ReplicaAnswer> {
  try {
    const state = await (target.node.objects.state as NonNullable<typeof target.node.objects.state>)(loc)
    directory.markOk(target.dev)
    if (state.data) return { kind: 'data', target, timestamp: state.data, metaTimestamp: state.meta }
    if (state.tombstone) return { kind: 'tombstone', target, timestamp: state.tombstone }
    return { kind: 'absent', target, quarantined: false, collision: false }
  } catch (error) {
    noteDeviceError(error, target, directory)
    return { kind: 'error', target, error }
  }
}

/** The timestamp that orders data against tombstones ('' when there is neither). */
export function stateTimestamp(a: ReplicaAnswer): string {
  if (a.kind === 'data' || a.kind === 'tombstone') return a.timestamp
  return ''
}

/**
 * > 0 when `a` is newer than `b`. Data and tombstones compare by their timestamps (a tombstone
 * wins a tie, as a DELETE at the same instant would); between two copies of the same data file
 * the one with the newer .meta wins. A .meta never makes a deleted object newer (Swift's rules).
 */
export function compareAnswers(a: ReplicaAnswer, b: ReplicaAnswer): number {
  const ta = stateTimestamp(a)
  const tb = stateTimestamp(b)
  if (ta !== tb) return ta > tb ? 1 : -1
  if (a.kind !== b.kind) return rank(a) - rank(b)
  if (a.kind === 'data' && b.kind === 'data') {
    const ma = a.metaTimestamp ?? ''
    const mb = b.metaTimestamp ?? ''
    return ma === mb ? 0 : ma > mb ? 1 : -1
  }
  return 0
}

function rank(a: ReplicaAnswer): number {
  return a.kind === 'tombstone' ? 3 : a.kind === 'data' ? 2 : a.kind === 'absent' ? 1 : 0
}

/** Newest first; errors last. */
export function newestFirst(answers: ReplicaAnswer[]): ReplicaAnswer[] {
  return [...answers].sort((a, b) => compareAnswers(b, a))
}

/** Primaries whose answer is older than `chosen` and that a repair may bring up to date
 *  (not handoffs, not devices that errored, not hash collisions). */
export function staleReplicas(answers: ReplicaAnswer[], chosen: ReplicaAnswer): ReplicaAnswer[] {
  return answers.filter((a) => !a.target.handoff && a.kind !== 'error' && !(a.kind === 'absent' && a.collision) && compareAnswers(a, chosen) < 0)
}

/** Closes the opened data files of the answers not served. */
export async function closeAnswers(answers: ReplicaAnswer[]): Promise<void> {
  await Promise.all(answers.map((a) => (a.kind === 'data' ? a.object?.close().catch(() => undefined) : undefined)))
}
