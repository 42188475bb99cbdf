import { expect } from 'chai'
import { VeloxError } from '../errors.js'
import { networkdFiles, validatePlan, type NetInterface } from './network.js'
import { networksOverlap, parseCidr, passwordScore, validateHostname, validateNewPassword, validateNtpServer, validateTimeZone } from './validate.js'

function refused(fn: () => unknown, message: RegExp): void {
  expect(fn).to.throw(VeloxError, message)
}

const IFACES: NetInterface[] = [
  { name: 'eno1', mac: 'aa:bb:cc:00:00:01', link: 'up', speedMbps: 1000, addresses: [] },
  { name: 'enp2s0', mac: 'aa:bb:cc:00:00:02', link: 'up', speedMbps: 10000, addresses: [] },
]

describe('setup/validate', () => {
  it('accepts host names and refuses invalid ones with the reason', () => {
    expect(validateHostname('Velox-01.lan')).to.equal('velox-01.lan')
    refused(() => validateHostname(''), /required/)
    refused(() => validateHostname('my_box'), /may only hold letters/)
    refused(() => validateHostname('-box'), /cannot start or end with '-'/)
    refused(() => validateHostname('a..b'), /empty part/)
    refused(() => validateHostname('x'.repeat(64)), /at most 63/)
    refused(() => validateHostname('10.0.0.1'), /looks like an address/)
  })

  it('accepts IANA time zones and NTP servers with optional ports', () => {
    expect(validateTimeZone('Europe/Paris')).to.equal('Europe/Paris')
    expect(validateTimeZone('UTC')).to.equal('UTC')
    refused(() => validateTimeZone('Mars/Olympus'), /unknown time zone/)
    expect(validateNtpServer(' pool.ntp.org ')).to.equal('pool.ntp.org')
    expect(validateNtpServer('127.0.0.1:12345')).to.equal('127.0.0.1:12345')
    refused(() => validateNtpServer('bad host'), /may only hold/)
    refused(() => validateNtpServer('ntp.example:99999'), /port out of range/)
  })

  it('parses networks, refuses network and broadcast addresses, and finds overlaps', () => {
    expect(parseCidr('192.168.1.20/24', 'x')).to.deep.equal({ address: '192.168.1.20', prefix: 24 })
    refused(() => parseCidr('192.168.1.20', 'the address'), /with its prefix/)
    refused(() => parseCidr('192.168.1.0/24', 'the address'), /network address/)
    refused(() => parseCidr('192.168.1.255/24', 'the address'), /broadcast/)
    refused(() => parseCidr('300.1.1.1/24', 'the address'), /not an IPv4 address/)
    expect(networksOverlap(parseCidr('10.0.0.5/8', 'a'), parseCidr('10.20.0.5/24', 'b'))).to.equal(true)
    expect(networksOverlap(parseCidr('10.0.0.5/24', 'a'), parseCidr('10.0.1.5/24', 'b'))).to.equal(false)
  })

  it('scores passwords and refuses weak ones for the first admin', () => {
    expect(passwordScore('short')).to.equal(0)
    expect(passwordScore('aaaaaaaaaaaa')).to.be.lessThan(2)
    expect(passwordScore('correct-Horse-battery-9')).to.equal(4)
    refused(() => validateNewPassword('abc'), /at least 10/)
    refused(() => validateNewPassword('password1234'), /too weak/)
    expect(validateNewPassword('Velvet-Otter-42!')).to.equal('Velvet-Otter-42!')
  })
})

describe('setup/network', () => {
  it('validates a static plan with a replication network and writes networkd files', () => {
    const plan = validatePlan({ frontEnd: 'eno1', backEnd: 'enp2s0', mode: 'static', address: '192.168.1.20/24', gateway: '192.168.1.1', dns: ['192.168.1.1'], backEndAddress: '10.10.0.20/24' }, IFACES)
    const files = networkdFiles(plan)
    expect(Object.keys(files)).to.deep.equal(['10-velox-eno1.network', '10-velox-enp2s0.network'])
    expect(files['10-velox-eno1.network']).to.include('Address=192.168.1.20/24\nGateway=192.168.1.1\nDNS=192.168.1.1')
    expect(files['10-velox-enp2s0.network']).to.include('Address=10.10.0.20/24')
    expect(networkdFiles(validatePlan({ frontEnd: 'eno1', mode: 'dhcp' }, IFACES))['10-velox-eno1.network']).to.include('DHCP=ipv4')
  })

  it('refuses unknown interfaces, a gateway outside the network, overlapping networks and a static address without DNS', () => {
    refused(() => validatePlan({ frontEnd: 'eth9', mode: 'dhcp' }, IFACES), /no interface "eth9"/)
    refused(() => validatePlan({ frontEnd: 'eno1', backEnd: 'eno1', mode: 'dhcp' }, IFACES), /its own interface/)
    refused(() => validatePlan({ frontEnd: 'eno1', mode: 'static', address: '192.168.1.20/24', gateway: '192.168.2.1', dns: ['1.1.1.1'] }, IFACES), /not in the client network/)
    refused(() => validatePlan({ frontEnd: 'eno1', mode: 'static', address: '192.168.1.20/24', dns: [] }, IFACES), /DNS server/)
    refused(() => validatePlan({ frontEnd: 'eno1', backEnd: 'enp2s0', mode: 'static', address: '192.168.1.20/16', dns: ['1.1.1.1'], backEndAddress: '192.168.7.20/24' }, IFACES), /overlaps the client network/)
    refused(() => validatePlan({ frontEnd: 'eno1', mode: 'dhcp', dns: ['dns.example'] }, IFACES), /not an IPv4 address/)
  })
})
