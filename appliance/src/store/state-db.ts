/**
 * The appliance's own state (tokens, sessions, shares, settings): one LevelDB at
 * `<data>/state/`, namespaced keys, JSON values. Services keep their records here so that
 * they survive restarts; they never see `level` itself (this folder is its only importer).
 * Not for object data or listings (those live on the devices).
 */
import { mkdirSync } from 'node:fs'
import { Level } from 'level'

export interface StateNamespace<T> {
  get(key: string): Promise<T | undefined>
  put(key: string, value: T): Promise<void>
  del(key: string): Promise<void>
  /** Writes many entries in one LevelDB batch (one write instead of one per entry). */
  putMany(entries: [string, T][]): Promise<void>
  /** All entries whose key starts with `prefix` (default all), in key order. */
  entries(prefix?: string): AsyncIterable<[string, T]>
}

export class StateDb {
  private constructor(private readonly db: Level<string, string>) {}

  static async open(dir: string): Promise<StateDb> {
    mkdirSync(dir, { recursive: true })
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    await db.open()
    return new StateDb(db)
  }

  namespace<T>(name: string): StateNamespace<T> {
    if (name.includes('\x00')) throw new RangeError('namespace names must not contain NUL')
    const db = this.db
    const k = (key: string) => `${name}\x00${key}`
    return {
      async get(key) {
        const v = await db.get(k(key))
        return v === undefined ? undefined : (JSON.parse(v) as T)
      },
      async put(key, value) {
        await db.put(k(key), JSON.stringify(value))
      },
      async del(key) {
        await db.del(k(key))
      },
      async putMany(entries) {
        if (entries.length) await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key: k(key), value: JSON.stringify(value) })))
      },
      async *entries(prefix = '') {
        const gte = k(prefix)
        for await (const [key, value] of db.iterator({ gte, lt: `${gte}\uffff` })) {
          yield [key.slice(name.length + 1), JSON.parse(value) as T] as [string, T]
        }
      },
    }
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}
