/**
 * The bounded job queue: at most `concurrency` jobs at once, one per key, a waiting key
 * merged, the bound dropping new jobs (unless forced), the urgent lane first, and a failing
 * job reported without stopping the others; a lane held to its own worker limit. The render
 * slots (by priority) and the memory budget (first come, first served; one oversized taker
 * alone).
 */
import { expect } from 'chai'
import { Budget, JobQueue, Slots } from './queue.js'

function gate() {
  let open!: () => void
  const opened = new Promise<void>((r) => (open = r))
  return { opened, open }
}

describe('thumbnails/queue', () => {
  it('runs at most `concurrency` jobs at once and drops offers past the bound', async () => {
    const g = gate()
    let active = 0
    let peak = 0
    const ran: string[] = []
    const q = new JobQueue<string>(async (job) => {
      active++
      peak = Math.max(peak, active)
      await g.opened
      ran.push(job)
      active--
    }, { concurrency: 2, maxPending: 3, lanes: 1, onError: () => {} })
    const offers = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => q.offer(k, k))
    // a and b run, c d e wait, f and g are dropped
    expect(offers).to.deep.equal(['queued', 'queued', 'queued', 'queued', 'queued', 'dropped', 'dropped'])
    expect(q.stats()).to.include({ running: 2, pending: 3, dropped: 2 })
    expect(q.idle).to.equal(false)
    expect(q.offer('z', 'z', { force: true })).to.equal('queued')
    g.open()
    await q.drained()
    expect(peak).to.equal(2)
    expect(ran.sort()).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'z'])
    expect(q.idle).to.equal(true)
  })

  it('merges a waiting key and never runs one key twice at once', async () => {
    const g = gate()
    const seen: string[] = []
    let sameKeyOverlap = false
    const running = new Set<string>()
    const q = new JobQueue<string>(async (job, key) => {
      if (running.has(key)) sameKeyOverlap = true
      running.add(key)
      await g.opened
      seen.push(job)
      running.delete(key)
    }, { concurrency: 4, maxPending: 10, lanes: 1, onError: () => {} })
    q.offer('k', 'v1')
    expect(q.offer('k', 'v2')).to.equal('queued') // v1 runs; v2 waits behind it
    expect(q.offer('k', 'v3')).to.equal('merged') // replaces v2
    g.open()
    await q.settled('k')
    expect(seen).to.deep.equal(['v1', 'v3'])
    expect(sameKeyOverlap).to.equal(false)
  })

  it('takes the urgent lane first and a front offer ahead of its lane', async () => {
    const g = gate()
    const order: string[] = []
    const q = new JobQueue<string>(async (job) => {
      if (job === 'blocker') await g.opened
      order.push(job)
    }, { concurrency: 1, maxPending: 10, lanes: 2, onError: () => {} })
    q.offer('blocker', 'blocker')
    q.offer('l1', 'large-1', { lane: 1 })
    q.offer('s1', 'small-1')
    q.offer('s2', 'small-2')
    q.offer('s3', 'small-3', { front: true })
    expect([q.waiting(0), q.waiting(1)]).to.deep.equal([3, 1])
    g.open()
    await q.drained()
    expect(order).to.deep.equal(['blocker', 'small-3', 'small-1', 'small-2', 'large-1'])
  })

  it('holds a lane to its own worker limit, keeping a worker for the urgent lane', async () => {
    const g = gate()
    const started: string[] = []
    const q = new JobQueue<string>(async (job) => {
      started.push(job)
      if (job.startsWith('large')) await g.opened
    }, { concurrency: 2, maxPending: 10, lanes: 2, laneConcurrency: [2, 1], onError: () => {} })
    q.offer('l1', 'large-1', { lane: 1 })
    q.offer('l2', 'large-2', { lane: 1 })
    expect(q.stats()).to.include({ running: 1, pending: 1 })
    q.offer('s1', 'small-1')
    await q.settled('s1')
    expect(started).to.deep.equal(['large-1', 'small-1'])
    g.open()
    await q.drained()
    expect(started).to.deep.equal(['large-1', 'small-1', 'large-2'])
  })

  it('reports a failing job and goes on with the rest', async () => {
    const errors: string[] = []
    const done: string[] = []
    const q = new JobQueue<string>(async (job) => {
      if (job === 'bad') throw new Error('boom')
      done.push(job)
    }, { concurrency: 1, maxPending: 10, lanes: 1, onError: (err, job) => errors.push(`${job}: ${(err as Error).message}`) })
    for (const k of ['one', 'bad', 'two']) q.offer(k, k)
    await q.drained()
    expect(errors).to.deep.equal(['bad: boom'])
    expect(done).to.deep.equal(['one', 'two'])
    expect(q.stats()).to.include({ done: 2, failed: 1 })
  })

  it('hands render slots to the urgent priority first, in order within one', async () => {
    const slots = new Slots(1)
    let release = await slots.acquire(1)
    const order: string[] = []
    const releases = new Map<string, () => void>()
    const asks: Array<[string, number]> = [['large-a', 1], ['small-a', 0], ['large-b', 1], ['small-b', 0]]
    for (const [name, priority] of asks) {
      void slots.acquire(priority).then((r) => {
        order.push(name)
        releases.set(name, r)
      })
    }
    expect([slots.busy, slots.waiting(0), slots.waiting(1)]).to.deep.equal([1, 2, 2])
    for (let i = 0; i < asks.length; i++) {
      release()
      release() // a second call is a no-op
      await new Promise((r) => setImmediate(r))
      expect(order.length, 'one slot, one holder').to.equal(i + 1)
      release = releases.get(order[i]) as () => void
    }
    release()
    expect(order).to.deep.equal(['small-a', 'small-b', 'large-a', 'large-b'])
    expect(slots.busy).to.equal(0)
  })

  it('keeps a memory budget: first come first served, one taker over it alone', async () => {
    const budget = new Budget(100)
    const a = await budget.acquire(60)
    let bIn = false
    let hugeIn = false
    const b = budget.acquire(60).then((r) => ((bIn = true), r))
    const huge = budget.acquire(500).then((r) => ((hugeIn = true), r))
    await new Promise((r) => setImmediate(r))
    expect([bIn, hugeIn, budget.held]).to.deep.equal([false, false, 60])
    a()
    const rb = await b
    expect([hugeIn, budget.held]).to.deep.equal([false, 60])
    rb()
    const rh = await huge
    expect(budget.held).to.equal(500)
    rh()
    rh()
    expect(budget.held).to.equal(0)
  })
})
