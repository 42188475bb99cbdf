import { expect } from 'chai'
import { Timestamp } from '../lib/timestamp.js'
import { invertTimestamp, parseVersionId, splitVersionName, versionObjectName, versionsContainerOf } from './object-versioning.js'

describe('object versioning names', () => {
  it("inverts timestamps as Swift's ~Timestamp does, so the newest version sorts first", () => {
    // Values from Swift 2.30: ~Timestamp('1796557016.71972') and ~Timestamp('0000000001.00000')
    expect(invertTimestamp(Timestamp.parse('1796557016.71972')).internal).to.equal('8203442983.28027')
    expect(invertTimestamp(Timestamp.parse('0000000001.00000')).internal).to.equal('9999999998.99999')
    const older = versionObjectName('o', Timestamp.parse('1700000000.00000'))
    const newer = versionObjectName('o', Timestamp.parse('1700000000.00001'))
    expect(newer < older).to.equal(true)
  })

  it('names the versions container and versions in the reserved namespace, and splits them back', () => {
    expect(versionsContainerOf('photos')).to.equal('\u0000versions\u0000photos')
    const name = versionObjectName('a/b.jpg', Timestamp.parse('1796557016.71972'))
    expect(name).to.equal('\u0000a/b.jpg\u00008203442983.28027')
    expect(splitVersionName(name)).to.deep.include({ object: 'a/b.jpg' })
    expect(splitVersionName(name)?.version.internal).to.equal('1796557016.71972')
    expect(splitVersionName('plain')).to.equal(undefined)
  })

  it('takes "null" or a timestamp as a version id and refuses anything else', () => {
    expect(parseVersionId('null')).to.equal('null')
    expect((parseVersionId('1796557016.71972') as Timestamp).internal).to.equal('1796557016.71972')
    expect(() => parseVersionId('abc')).to.throw(/Invalid version parameter/)
  })
})
