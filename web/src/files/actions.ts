/**
 * What the file browser does to several entries at once: delete (a folder = every object
 * under its prefix; a container = its objects, then the container) and move/rename (server-
 * side COPY + DELETE per object, a folder object by object). Runs a few requests at a time
 * and reports how far it got.
 */
import { request } from '../api/http'
import { encodePath, type Entry, type SwiftClient } from '../api/swift'
import { purgeVersions } from '../trash/trash-api'
import { copyLargeObject } from './copy-large'

const CONCURRENCY = 4

type ObjectEntry = Extract<Entry, { type: 'object' }>

async function parallel<T>(items: AsyncIterable<T> | Iterable<T>, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>()
  for await (const item of items as AsyncIterable<T>) {
    const p = fn(item).finally(() => running.delete(p))
    running.add(p)
    if (running.size >= CONCURRENCY) await Promise.race(running)
  }
  await Promise.all(running)
}

export async function deleteEntries(swift: SwiftClient, entries: Entry[], onProgress: (done: number) => void): Promise<void> {
  let done = 0
  const tick = () => onProgress(++done)
  for (const e of entries) {
    if (e.type === 'object') {
      await swift.deleteObject(e.container, e.object, e.slo)
      tick()
    } else if (e.type === 'folder') {
      await parallel(swift.walk(e.container, e.prefix), (o) => swift.deleteObject(o.container, o.object, o.slo).then(tick))
    } else {
      await parallel(swift.walk(e.name, ''), (o) => swift.deleteObject(o.container, o.object, o.slo).then(tick))
      await purgeVersions(swift, e.name) // (a container keeping versions cannot go before they do)
      await swift.deleteContainer(e.name)
    }
  }
}

/** "photos/2024/" → { container: "photos", path: "2024/" }. */
export function splitTarget(target: string): { container: string; path: string } {
  const t = target.replace(/^\/+/, '')
  const i = t.indexOf('/')
  return i < 0 ? { container: t, path: '' } : { container: t.slice(0, i), path: t.slice(i + 1) }
}

/** Rename or move one object or folder to a full target ("container/path/name[/]"). */
export async function moveEntry(swift: SwiftClient, e: Entry, target: string, onProgress: (done: number) => void): Promise<void> {
  const to = splitTarget(target)
  if (!to.container || !to.path) throw new Error('Give a container and a name, like photos/2024/cat.jpg.')
  let done = 0
  if (e.type === 'object') {
    await swift.move(e, { container: to.container, object: to.path })
    onProgress(++done)
    return
  }
  if (e.type !== 'folder') throw new Error('A container cannot be renamed.')
  const dest = to.path.endsWith('/') ? to.path : `${to.path}/`
  if (to.container === e.container && dest.startsWith(e.prefix)) throw new Error('A folder cannot be moved into itself.')
  await parallel(swift.walk(e.container, e.prefix), (o: ObjectEntry) =>
    swift.move(o, { container: to.container, object: dest + o.object.slice(e.prefix.length) }).then(() => onProgress(++done)),
  )
}

/** Move several entries into a folder ("container/path/"), keeping their names. */
export async function moveInto(swift: SwiftClient, entries: Entry[], folder: string, onProgress: (done: number) => void): Promise<void> {
  const dir = folder.endsWith('/') ? folder : `${folder}/`
  let done = 0
  for (const e of entries) {
    const name = e.type === 'folder' ? `${e.name}/` : e.name
    await moveEntry(swift, e, dir + name, () => onProgress(++done))
  }
}

/**
 * Stores edited text as the object's new content: one PUT with its type kept (with object
 * versioning on, Swift keeps the version it replaces).
 */
export async function saveText(swift: SwiftClient, o: ObjectEntry, text: string): Promise<void> {
  if (o.slo) throw new Error('A large (segmented) object is not edited here.')
  const type = o.contentType || 'text/plain; charset=utf-8'
  await request(swift.objectUrl(o.container, o.object), { method: 'PUT', body: text, headers: { 'Content-Type': type } })
}

/**
 * Copies entries into a folder ("container/path/"), keeping their names: a server-side COPY
 * per object (a folder object by object); a large (segmented) object gets its own copy of
 * its segments (copy-large.ts), `onSegment` telling how far that is.
 */
export async function copyInto(swift: SwiftClient, entries: Entry[], folder: string, onProgress: (done: number) => void, onSegment?: (name: string, done: number, total: number) => void): Promise<void> {
  const to = splitTarget(folder.endsWith('/') ? folder : `${folder}/`)
  let done = 0
  const copy = async (o: ObjectEntry, object: string) => {
    if (o.slo) await copyLargeObject(swift, o, { container: to.container, object }, (d, n) => onSegment?.(o.name, d, n))
    else await request(swift.objectUrl(o.container, o.object), { method: 'COPY', headers: { Destination: `${encodeURIComponent(to.container)}/${encodePath(object)}` } })
    onProgress(++done)
  }
  for (const e of entries) {
    if (e.type === 'object') await copy(e, to.path + e.name)
    else if (e.type === 'folder') {
      if (to.container === e.container && to.path.startsWith(e.prefix)) throw new Error('A folder cannot be copied into itself.')
      await parallel(swift.walk(e.container, e.prefix), (o) => copy(o, `${to.path}${e.name}/${o.object.slice(e.prefix.length)}`))
    } else throw new Error('A container is copied by opening it and copying what is inside.')
  }
}
