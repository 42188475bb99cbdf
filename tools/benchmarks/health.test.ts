import { expect } from 'chai'
import { geometricMean } from './health.js'

describe('bench health: the pairs’ on/off ratios', () => {
  it('gives the geometric mean and a 95 % interval that narrows with agreeing pairs', () => {
    const same = geometricMean([1, 1, 1, 1])
    expect(same).to.deep.equal({ mean: 1, low: 1, high: 1 })
    const g = geometricMean([0.9, 1.1, 0.95, 1.05, 1])
    expect(g.mean).to.be.closeTo(0.9975, 0.001)
    expect(g.low).to.be.below(g.mean)
    expect(g.high).to.be.above(g.mean)
    // Ten times the pairs with the same spread: a narrower interval.
    const many = geometricMean(Array.from({ length: 50 }, (_, i) => [0.9, 1.1, 0.95, 1.05, 1][i % 5]))
    expect(many.high - many.low).to.be.below((g.high - g.low) / 2)
  })
})
