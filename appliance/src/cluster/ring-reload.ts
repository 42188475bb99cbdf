/**
 * Picks up new rings while the appliance runs: the three .ring.gz files are checked every few
 * seconds (size and mtime, as Swift's Ring checks its file's mtime every reload_time), and when
 * any changed all three are loaded, swapped into placement, the devices they name that live
 * on this box and are not open yet are opened, and listeners (the replicator) are told.
 * A ring that fails to load is logged and the rings in use stay (a half-written file is
 * retried at the next check; ring files are written by rename anyway).
 * Owns the check and the swap; it must not build or rebalance rings (ring/, disks/).
 */
import { statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { VeloxConfig } from '../config/index.js'
import type { Log } from '../lib/log.js'
import { ringPathForBuilder } from '../ring/builder.js'
import { builderPath, loadRings, openLocalDevices, RING_KINDS, type LocalDevice } from './bootstrap.js'
import type { Placement, Rings } from './placement.js'

export interface RingReloadOptions {
  config: Readonly<VeloxConfig>
  placement: Placement
  /** This box's open devices; new ones are added to it (the node directory shares the map). */
  devices: Map<string, LocalDevice>
  log: Log
  intervalMs?: number
}

export class RingReloader {
  private signature: string
  private readonly listeners: Array<(rings: Rings, added: LocalDevice[]) => void> = []
  private abort = new AbortController()
  private loop?: Promise<void>

  constructor(private readonly o: RingReloadOptions) {
    this.signature = this.current()
  }

  onReload(listener: (rings: Rings, added: LocalDevice[]) => void): void {
    this.listeners.push(listener)
  }

  /** Reloads if a ring file changed since the last load; returns whether it did. */
  async check(): Promise<boolean> {
    const sig = this.current()
    if (sig === this.signature) return false
    let rings: Rings
    try {
      rings = loadRings(this.o.config)
    } catch (err) {
      this.o.log.warn('ring reload failed; keeping the rings in use', { error: (err as Error).message })
      return false
    }
    this.signature = sig
    this.o.placement.setRings(rings)
    const added = await openLocalDevices(this.o.config, rings, this.o.log, this.o.devices)
    for (const [name, dev] of added) this.o.devices.set(name, dev)
    this.o.log.info('rings reloaded', { devicesOpened: [...added.keys()] })
    for (const l of this.listeners) l(rings, [...added.values()])
    return true
  }

  start(): void {
    if (this.loop) return
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        await sleep(this.o.intervalMs ?? 5000, undefined, { signal: this.abort.signal }).catch(() => undefined)
        if (!this.abort.signal.aborted) await this.check().catch((err: unknown) => this.o.log.warn('ring check failed', { error: (err as Error).message }))
      }
    })()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    await this.loop
    this.loop = undefined
    this.abort = new AbortController()
  }

  private current(): string {
    return RING_KINDS.map((k) => {
      try {
        const st = statSync(ringPathForBuilder(builderPath(this.o.config, k)))
        return `${st.size}:${st.mtimeMs}:${st.ino}`
      } catch {
        return 'missing'
      }
    }).join('|')
  }
}
