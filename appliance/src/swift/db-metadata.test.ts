import { expect } from 'chai'
import { DEFAULT_CONSTRAINTS } from '../config/constraints.js'
import { isVeloxError } from '../errors.js'
import type { DbMetadata } from '../store/types.js'
import { checkMergedMetadata } from './db-metadata.js'

const ts = '0000000001.00000'
const items = (prefix: string, n: number, valueBytes: number): DbMetadata =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}k${i}`, { value: 'v'.repeat(valueBytes), timestamp: ts }]))

function refusal(current: DbMetadata, updates: DbMetadata, target: 'account' | 'container'): string | undefined {
  try {
    checkMergedMetadata(current, updates, target, DEFAULT_CONSTRAINTS)
    return undefined
  } catch (err) {
    if (!isVeloxError(err, 'bad-request')) throw err
    return err.message
  }
}

describe('swift/db-metadata checkMergedMetadata (Swift validate_metadata on POST)', () => {
  it('counts the stored metadata with the update: 2 KB stored plus 2.2 KB posted is too large', () => {
    expect(refusal(items('x-container-meta-a', 10, 200), items('x-container-meta-b', 11, 200), 'container')).to.equal('Total metadata too large; max 4096')
    expect(refusal(items('x-container-meta-a', 10, 200), items('x-container-meta-b', 5, 200), 'container')).to.equal(undefined)
  })

  it('does not count removals (empty values), other prefixes or system metadata', () => {
    const removed = Object.fromEntries(Object.keys(items('x-account-meta-a', 10, 200)).map((k) => [k, { value: '', timestamp: ts }]))
    expect(refusal(items('x-account-meta-a', 10, 200), { ...removed, ...items('x-account-meta-b', 11, 200) }, 'account')).to.equal(undefined)
    expect(refusal(items('x-account-sysmeta-a', 30, 200), items('x-account-meta-b', 1, 10), 'account')).to.equal(undefined)
  })

  it('refuses more than max_meta_count items in all', () => {
    expect(refusal(items('x-container-meta-a', 60, 1), items('x-container-meta-b', 31, 1), 'container')).to.equal('Too many metadata items; max 90')
  })
})
