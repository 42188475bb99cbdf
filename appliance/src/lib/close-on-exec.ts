/**
 * Children start without the appliance's open files. LevelDB (classic-level) opens its files
 * without O_CLOEXEC, so every child — the web terminal's shell, mkfs, smartctl, bzip2, the
 * thumbnail tools — inherited every disk's database files (LOCK, LOG, MANIFEST, the log), and
 * a shell left open kept every disk busy: Remove could not unmount it. Node has no fcntl, so
 * appliance/native/close-on-exec.c (built by the Makefile into dist/native/) marks every
 * descriptor above 2 FD_CLOEXEC; call `beforeSpawn()` right before starting a child. A file
 * LevelDB opens on one of its own threads between that call and the fork can still slip
 * through (it is marked at the next spawn). Without the native module nothing is marked and
 * nothing fails: children inherit, as before.
 * Owns this one syscall; where children are started is the callers' business.
 */
import { createRequire } from 'node:module'

interface Native {
  closeOnExecAll(): number
}

function load(): Native | undefined {
  try {
    return createRequire(import.meta.url)('../../../native/close-on-exec.node') as Native
  } catch {
    return undefined
  }
}

const native = load()

/** The native module loaded: beforeSpawn marks descriptors (otherwise it does nothing). */
export const available = native !== undefined

/** Marks every descriptor above 2 close-on-exec; returns how many it had to mark (-errno, or -1 without the module). */
export function beforeSpawn(): number {
  return native ? native.closeOnExecAll() : -1
}
