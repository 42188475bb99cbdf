/**
 * The contract of one storage node's device: object files and account/container databases.
 * No HTTP here. The cluster layer calls these on each replica's device (in process, or via
 * the backend protocol on another appliance); failures are VeloxErrors with the kinds in
 * errors.ts (`not-found`, `conflict`, `etag-mismatch`, `insufficient-storage`, `unavailable`
 * for a device that errors with EIO/EROFS, `internal`).
 */
import type { Readable } from 'node:stream'

/** Where an object lives on a device: the ring partition and the Swift hash of its path. */
export interface ObjectLocation {
  partition: number
  /** md5 hex of hashPathPrefix + "/account/container/object" + hashPathSuffix (ring/). */
  hash: string
  /** "/account/container/object", stored in the metadata as Swift does. */
  name: string
  /** Storage policy index: its objects live in `objects-N/` (policy 0, the default: `objects/`), as Swift's. */
  policy?: number
}

/** Metadata persisted with an object version (Swift keeps the same facts in its xattr). */
export interface ObjectMetadata {
  name: string
  /** X-Timestamp of the data file, internal form (lib/timestamp.ts). */
  timestamp: string
  contentType: string
  /** Hex MD5 of the body as stored. */
  etag: string
  size: number
  /** CRC32 of each 1 MiB block of the body (lib/block-crc.ts), for bodies of more than one
   *  block written since issue 11: a read checks each block before it is sent. */
  blockCrc32?: string
  /**
   * Every other persisted header, names lower-cased: x-object-meta-*, x-object-sysmeta-*,
   * content-disposition, content-encoding, x-delete-at, x-object-manifest,
   * x-static-large-object, x-symlink-target, …
   */
  headers: Record<string, string>
}

/** What a PUT supplies; etag/size when given are checked against what was streamed. */
export interface ObjectPut {
  timestamp: string
  contentType: string
  headers: Record<string, string>
  /** Expected MD5 hex (client's ETag header): mismatch → `etag-mismatch`, nothing stored. */
  etag?: string
  /** Expected length (Content-Length): a shorter body → `client-disconnected`, nothing stored. */
  size?: number
  /** The data file leaves the page cache as it is synced, as Swift's object server drops what
   *  it wrote: for a replica that is not the first to serve reads (the one read first keeps
   *  its pages, so an object just written reads back from memory). */
  dropCache?: boolean
}

/**
 * A body whose producer computes its MD5 once while feeding the very same buffers to several
 * replicas (cluster/replicated-objects.ts): `md5()`, valid once the body has ended, is the hex
 * MD5 of every byte it yielded. Hashing those bytes again per replica would find nothing more
 * (the same memory, read from no disk), so a store takes this digest for the bytes it wrote; a
 * plain body (a peer's request, a copy, a test) is hashed by the store as it streams.
 */
export interface DigestedBody extends AsyncIterable<Uint8Array> {
  /** The MD5 (hex) of everything iterated; asked once the iteration has ended. */
  md5(): Promise<string>
  /** Its block CRCs (lib/block-crc.ts), computed by the same producer; asked after md5(). */
  blockCrc32?(): string | undefined
}

/** An object opened for reading. The file stays open, so a concurrent overwrite or delete
 *  does not disturb a read in progress. */
export interface OpenObject {
  /** Merged view: data file metadata with the newest .meta's headers applied. */
  meta: ObjectMetadata
  /** Timestamp of the newest .meta (a POST), when newer than the data. */
  metaTimestamp?: string
  /** Read bytes [start, end] inclusive (whole body by default). A whole-body read verifies the
   *  MD5 at the end and quarantines the file (stream errors) when it does not match. */
  stream(range?: { start: number; end: number }): Readable
  close(): Promise<void>
}

/** What a device holds for an object by its file names alone, no file opened (internal
 *  timestamps): the newest data file and a newer .meta, or a tombstone, or nothing. */
export interface ObjectFilesState {
  data?: string
  meta?: string
  tombstone?: string
}

export interface DeviceObjects {
  /** The object's state from one directory listing: what a read asks of the replicas it will
   *  not serve from (cluster/replica-answers.ts). Optional: a node without it is opened. */
  state?(loc: ObjectLocation): Promise<ObjectFilesState>
  /** Streams body to a temp file on the device, MD5 as it goes (a DigestedBody's own), fsync,
   *  rename to <timestamp>.data, fsync dir. An existing newer or equal timestamp (data or tombstone)
   *  → `conflict` with detail { timestamp } and nothing written. */
  put(loc: ObjectLocation, put: ObjectPut, body: AsyncIterable<Uint8Array> | Readable): Promise<ObjectMetadata>
  /** `not-found` when absent; when deleted, `not-found` with detail { timestamp } of the tombstone. */
  open(loc: ObjectLocation): Promise<OpenObject>
  /** Writes a tombstone <timestamp>.ts (even when nothing is there, as Swift does); returns the
   *  metadata of the version it covered, if any. Older than existing → `conflict`. */
  delete(loc: ObjectLocation, timestamp: string): Promise<ObjectMetadata | undefined>
  /** Fast POST: writes <timestamp>.meta carrying `headers` (which replace the user metadata).
   *  `not-found` when there is no live data file. */
  post(loc: ObjectLocation, timestamp: string, headers: Record<string, string>): Promise<void>
}

/** A row of a container database (one object version or tombstone). */
export interface ObjectRow {
  name: string
  timestamp: string
  size: number
  contentType: string
  etag: string
  deleted: boolean
  /**
   * The file's own modification time (X-Object-Meta-Mtime, unix seconds as the client sent
   * it), kept in the row so that a listing can show and sort by it without a HEAD per object.
   */
  mtime?: string
}

/** A row of an account database (one container). */
export interface ContainerRow {
  name: string
  putTimestamp: string
  deleteTimestamp: string
  objectCount: number
  bytesUsed: number
  deleted: boolean
  /** The container's storage policy (0 when a report leaves it out). */
  storagePolicyIndex?: number
}

/** An account's totals over the containers of one storage policy (Swift's policy_stat). */
export interface PolicyStats {
  containerCount: number
  objectCount: number
  bytesUsed: number
}

export interface ListingParams {
  prefix?: string
  delimiter?: string
  marker?: string
  endMarker?: string
  limit: number
  reverse?: boolean
  /** Swift's `path=`: equivalent to prefix=path + '/' with delimiter '/'. */
  path?: string
}

export type ListingEntry<Row> = { subdir: string } | Row

/** Metadata of a database: each key with the timestamp it was set at; '' value = removed. */
export type DbMetadata = Record<string, { value: string; timestamp: string }>

/** How up to date one replica of a database is, to read from the freshest (cluster/replicated-dbs.ts). */
export interface DbFreshness {
  /** The newest row timestamp applied there ('' when unknown). */
  rows: string
  /** The newer of its put and delete timestamps. */
  lifecycle: string
  /** The newest metadata change there, removed keys included ('' when none). */
  metadata: string
  /** Deleted there (Swift's is_deleted). */
  deleted: boolean
}

export interface ContainerInfo {
  account: string
  container: string
  putTimestamp: string
  deleteTimestamp: string
  /** X-Timestamp reported to clients (created_at). */
  createdAt: string
  objectCount: number
  bytesUsed: number
  metadata: DbMetadata
  storagePolicyIndex: number
}

export interface AccountInfo {
  account: string
  putTimestamp: string
  deleteTimestamp: string
  createdAt: string
  containerCount: number
  objectCount: number
  bytesUsed: number
  metadata: DbMetadata
  /** Per storage policy index: every policy a container of this account has used. */
  policyStats: Record<number, PolicyStats>
}

/** A substring search over a container's live names (DeviceDatabases.matchObjectNames). */
export interface NameMatch {
  /** Lower-cased already (the caller's toLowerCase). */
  needle: string
  /** Start after this name (exclusive); from the first name when left out. */
  marker?: string
  /** Stop once this many rows matched. */
  limit: number
  /** Stop once this many names were read (a bounded scan). */
  maxScanned: number
}

export interface NameMatchPage {
  /** The matching rows, in name order. */
  rows: ObjectRow[]
  /** Names read. */
  scanned: number
  /** The last name read: where to go on when not `done`. */
  last?: string
  /** True when the container's names were read to the end. */
  done: boolean
}

/** Account and container databases kept on one device (one LevelDB per device). */
export interface DeviceDatabases {
  /** Creates (or revives) a container; returns whether it was newly created. */
  putContainer(partition: number, account: string, container: string, putTimestamp: string, metadata?: DbMetadata, storagePolicyIndex?: number): Promise<{ created: boolean }>
  /** undefined when the container does not exist or is deleted. */
  getContainer(account: string, container: string): Promise<ContainerInfo | undefined>
  /** Newest-timestamp-wins merge of metadata keys. `not-found` if absent. */
  updateContainerMetadata(account: string, container: string, metadata: DbMetadata): Promise<void>
  /** `conflict` when it still holds objects, `not-found` when absent. */
  deleteContainer(account: string, container: string, timestamp: string): Promise<void>
  /** Records an object version or tombstone; the newest timestamp for a name wins; stats stay exact. */
  putObjectRow(account: string, container: string, row: ObjectRow): Promise<void>
  listObjects(account: string, container: string, params: ListingParams): Promise<ListingEntry<ObjectRow>[]>
  /** Names containing `needle` (case-insensitive), reading names only; `not-found` like listObjects. */
  matchObjectNames(account: string, container: string, m: NameMatch): Promise<NameMatchPage>

  putAccount(partition: number, account: string, putTimestamp: string, metadata?: DbMetadata): Promise<{ created: boolean }>
  getAccount(account: string): Promise<AccountInfo | undefined>
  updateAccountMetadata(account: string, metadata: DbMetadata): Promise<void>
  /** Records a container's stats in its account (container updates), newest wins. */
  putContainerRow(account: string, row: ContainerRow): Promise<void>
  listContainers(account: string, params: ListingParams): Promise<ListingEntry<ContainerRow>[]>
  /** How up to date this replica of a database is, deleted or not (container '' or left out:
   *  the account's); undefined when it holds no such database. */
  freshness?(account: string, container?: string): Promise<DbFreshness | undefined>
  close(): Promise<void>
}
