/**
 * Finding and removing names that no Swift path can reach (issue 11, item 5): containers and
 * objects stored under a name with NUL or without a UTF-8 form before names.ts checked every
 * way in. The Swift API refuses such a name with 412, so their owner can neither read nor
 * delete them and the container can never be emptied; an administrator removes them here
 * (http/api/admin-names.ts). Only a bad name can be removed this way: this is not a second
 * door to good objects.
 */
import { VeloxError, isVeloxError } from '../errors.js'
import type { SwiftServices } from './index.js'
import { isValidName } from './names.js'

export interface BadName {
  container: string
  /** Absent when the container's own name is the bad one. */
  object?: string
}

const PAGE = 1000

/** Bad names in `account` (its containers, then the objects of each), at most `limit`. */
export async function findBadNames(s: SwiftServices, account: string, limit = 1000): Promise<BadName[]> {
  const found: BadName[] = []
  for await (const container of pages((marker) => s.accounts.list(account, { marker, limit: PAGE }).then((r) => r.entries))) {
    if (!isValidName(container)) found.push({ container })
    for await (const object of pages((marker) => s.containers.list(account, container, { marker, limit: PAGE }).then((r) => r.entries))) {
      if (found.length >= limit) return found
      if (!isValidName(object)) found.push({ container, object })
    }
    if (found.length >= limit) return found
  }
  return found
}

/**
 * Removes one bad name: an object (whose own name or container's name is bad), or a
 * container with a bad name together with every object in it.
 */
export async function removeBadName(s: SwiftServices, account: string, target: BadName): Promise<{ objects: number; container: boolean }> {
  const { container, object } = target
  if (object !== undefined) {
    if (isValidName(container) && isValidName(object)) throw new VeloxError('bad-request', 'this name is valid: remove it through the Swift API')
    await deleteObject(s, account, container, object)
    return { objects: 1, container: false }
  }
  if (isValidName(container)) throw new VeloxError('bad-request', 'this container name is valid: remove it through the Swift API')
  let objects = 0
  for await (const name of pages((marker) => s.containers.list(account, container, { marker, limit: PAGE }).then((r) => r.entries))) {
    await deleteObject(s, account, container, name)
    objects++
  }
  await s.containers.delete(account, container)
  return { objects, container: true }
}

async function deleteObject(s: SwiftServices, account: string, container: string, object: string): Promise<void> {
  await s.objects.delete({ account, container, object }).catch((err: unknown) => {
    // A listing row whose object is already gone: the delete wrote its tombstone row anyway.
    if (!isVeloxError(err, 'not-found')) throw err
  })
}

/** The names of a listing, page after page (a page shorter than PAGE is the last). */
async function* pages(list: (marker: string | undefined) => Promise<Array<{ name: string } | { subdir: string }>>): AsyncGenerator<string> {
  let marker: string | undefined
  for (;;) {
    const entries = await list(marker)
    for (const e of entries) if ('name' in e) yield e.name
    if (entries.length < PAGE) return
    const last = entries[entries.length - 1]
    marker = 'name' in last ? last.name : last.subdir
  }
}
