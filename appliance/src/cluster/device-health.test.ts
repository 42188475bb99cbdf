import { expect } from 'chai'
import { DeviceHealth } from './device-health.js'

describe('DeviceHealth', () => {
  function setup() {
    let now = 1_000_000
    const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = []
    const log = {
      warn: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', msg, fields }),
      info: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', msg, fields }),
    }
    const health = new DeviceHealth({ log, logIntervalMs: 60_000, now: () => now })
    return { health, lines, advance: (ms: number) => (now += ms), now: () => now }
  }

  it('logs the transition to failed once, not every error, and the way back with how long it failed', () => {
    const { health, lines, advance } = setup()
    health.ok('d1') // never failed: nothing to say
    for (let i = 0; i < 50; i++) health.failed('d1', new Error(`EIO ${i}`))
    expect(lines).to.have.length(1)
    expect(lines[0]).to.deep.include({ level: 'warn', msg: 'device failed' })
    expect(lines[0].fields).to.include({ device: 'd1', error: 'EIO 0' })
    advance(90_000)
    health.ok('d1')
    expect(lines).to.have.length(2)
    expect(lines[1]).to.deep.include({ level: 'info', msg: 'device back' })
    expect(lines[1].fields).to.include({ device: 'd1', failedForMs: 90_000 })
  })

  it('rate-limits a flapping device per device, counting the transitions it did not log', () => {
    const { health, lines, advance } = setup()
    for (let i = 0; i < 10; i++) {
      health.failed('d1')
      health.ok('d1')
      advance(1000)
    }
    health.failed('d2')
    expect(lines.map((l) => `${l.msg} ${String(l.fields?.device)}`)).to.deep.equal(['device failed d1', 'device failed d2'])
    advance(60_000)
    health.failed('d1')
    expect(lines[2].fields).to.include({ device: 'd1', unloggedTransitions: 19 })
  })

  it('exposes each device that failed, with its state, errors and transitions', () => {
    const { health, advance, now } = setup()
    health.failed('d1', new Error('EIO'))
    health.failed('d1', new Error('EROFS'))
    health.failed('d2')
    advance(5000)
    health.ok('d2')
    const states = Object.fromEntries(health.states().map((s) => [s.device, s]))
    expect(states.d1).to.include({ failed: true, errors: 2, lastError: 'EROFS', transitions: 1 })
    expect(states.d2).to.include({ failed: false, errors: 0, transitions: 2, sinceMs: now() })
  })
})
