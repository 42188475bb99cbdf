/**
 * Dropping a file's clean pages from the page cache (posix_fadvise DONTNEED), which Node has
 * no binding for: appliance/native/page-cache.c, built by the Makefile into
 * dist/native/page-cache.node, runs it on the libuv thread pool.
 *
 * Why: an object written to three replicas puts three copies in the page cache, and memory the
 * kernel has to hand out fresh costs far more than pages it just freed (on this VM, writing
 * 3 GiB with an fdatasync every 8 MiB took 3.7 s of kernel CPU keeping the pages, 0.6 s
 * dropping each range once synced). Swift's object server drops every range it synced
 * (obj/diskfile.py drop_buffer_cache) for the same reason.
 *
 * Without the native module (not built), nothing is dropped and nothing fails: the pages stay
 * cached until the kernel reclaims them, as any page cache does. `available` says which.
 * Owns this one syscall; which files to drop is the object store's call.
 */
import { createRequire } from 'node:module'

interface Native {
  dropCache(fd: number, offset: number, length: number, callback: (errno: number) => void): void
}

function load(): Native | undefined {
  try {
    return createRequire(import.meta.url)('../../../native/page-cache.node') as Native
  } catch {
    return undefined
  }
}

const native = load()

/** The native module loaded: dropCache drops pages (otherwise it does nothing). */
export const available = native !== undefined

/**
 * Drops the cached pages of [offset, offset + length) of `fd` (length 0: to the end of the
 * file). Dirty pages are not dropped (the kernel writes them back first); call it after an
 * fsync. Resolves to the errno, 0 on success; never rejects (the advice is only an advice).
 */
export function dropCache(fd: number, offset: number, length: number): Promise<number> {
  if (!native) return Promise.resolve(0)
  return new Promise((resolve) => {
    try {
      native.dropCache(fd, offset, length, resolve)
    } catch {
      resolve(-1)
    }
  })
}
