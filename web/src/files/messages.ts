/**
 * Plain words for what Swift answers with a bare status: a container that is not there (a
 * mistyped address, or a move to a container that was never made) says so, instead of
 * "404 Not Found".
 */
import { ApiError } from '../api/http'
import type { SwiftClient } from '../api/swift'

export function noContainer(name: string): string {
  return `There is no container “${name}”. Check the name; a new one is made with “New folder” under All files.`
}

/** The listing's error, in words: a 404 on a container's listing means the container is not there. */
export function listingProblem(err: unknown, container: string): string {
  if (err instanceof ApiError && err.status === 404 && container) return noContainer(container)
  return (err as Error).message
}

/** Throws a clear error when the container of a destination ("container/path/") does not exist. */
export async function checkDestination(swift: SwiftClient, target: string): Promise<void> {
  const name = target.replace(/^\/+/, '').split('/')[0]
  if (!name) throw new Error('Give a destination like photos/2024/.')
  try {
    await swift.listFolder(name, '', null, 1)
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new Error(noContainer(name))
    throw err
  }
}
