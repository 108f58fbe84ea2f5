// js-libp2p kad-dht peer for SpacePanda DHT interop tests. Loopback only.
//
//   node kad-peer.mjs --protocol <id> [--timeout MS]
//
// Listens on 127.0.0.1, runs @libp2p/kad-dht in server mode with every address kept (the tests
// run on loopback), prints "LISTENING <multiaddr>/p2p/<peer id>", then executes one JSON command
// per stdin line and prints "RESULT <json>" (or "FAILED <json>") for each:
//   {"op":"dial","addr":A}                 connect (the DHT adds the peer once identify ran)
//   {"op":"rt"}                            {"size":N,"peers":[ids]}
//   {"op":"findPeer","peer":ID}            {"found":bool,"addrs":[...]} via FIND_NODE lookups
//   {"op":"closest","key":HEX}             {"peers":[ids]}
//   {"op":"put","key":HEX,"value":HEX}     PUT_VALUE to the closest peers
//   {"op":"get","key":HEX}                 {"value":HEX|null} via GET_VALUE
//   {"op":"provide","mh":HEX}              ADD_PROVIDER for a raw CID of that sha2-256 multihash
//   {"op":"providers","mh":HEX}            {"providers":[ids]} via GET_PROVIDERS
//   {"op":"ping","peer":ID}                {"ok":bool}: a raw kad PING message, echoed
// It exits when stdin closes or after --timeout ms.
import './polyfill.mjs'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { createInterface } from 'node:readline'

const args = { protocol: '/spacepanda/kad/1.0.0', timeout: 120000 }
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  if (a === '--protocol') args.protocol = process.argv[++i]
  else if (a === '--timeout') args.timeout = Number(process.argv[++i])
  else throw new Error(`unknown argument ${a}`)
}

const hex = (u8) => Buffer.from(u8).toString('hex')
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'))
const cidOf = (mhHex) => CID.createV1(0x55, Digest.decode(bytes(mhHex)))

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      protocol: args.protocol,
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 500
    })
  }
})
await node.start()
const dht = node.services.dht
console.log(`LISTENING ${node.getMultiaddrs()[0].toString()}`)

async function run (cmd) {
  const signal = AbortSignal.timeout(20000)
  switch (cmd.op) {
    case 'dial': {
      await node.dial(multiaddr(cmd.addr), { signal })
      // Give identify and the routing-table update a moment.
      for (let i = 0; i < 50; i++) {
        if (dht.routingTable.size > 0) break
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      return { size: dht.routingTable.size }
    }
    case 'rt': {
      const closest = dht.routingTable.closestPeers(new Uint8Array(32), 1000)
      return { size: dht.routingTable.size, peers: closest.map(p => p.toString()) }
    }
    case 'findPeer': {
      const id = peerIdFromString(cmd.peer)
      for await (const ev of dht.findPeer(id, { signal })) {
        if (ev.name === 'FINAL_PEER') {
          return { found: true, addrs: ev.peer.multiaddrs.map(m => m.toString()) }
        }
      }
      return { found: false, addrs: [] }
    }
    case 'closest': {
      const peers = new Set()
      for await (const ev of dht.getClosestPeers(bytes(cmd.key), { signal })) {
        if (ev.name === 'FINAL_PEER') peers.add(ev.peer.id.toString())
      }
      return { peers: [...peers] }
    }
    case 'put': {
      let stored = 0
      for await (const ev of dht.put(bytes(cmd.key), bytes(cmd.value), { signal })) {
        if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE') stored++
      }
      return { stored }
    }
    case 'get': {
      for await (const ev of dht.get(bytes(cmd.key), { signal })) {
        if (ev.name === 'VALUE') return { value: hex(ev.value), from: ev.from.toString() }
      }
      return { value: null }
    }
    case 'provide': {
      let sent = 0
      for await (const ev of dht.provide(cidOf(cmd.mh), { signal })) {
        if (ev.name === 'PEER_RESPONSE' || ev.name === 'SEND_QUERY') sent++
      }
      return { sent }
    }
    case 'providers': {
      const found = new Set()
      for await (const ev of dht.findProviders(cidOf(cmd.mh), { signal })) {
        if (ev.name === 'PROVIDER') ev.providers.forEach(p => found.add(p.id.toString()))
      }
      return { providers: [...found] }
    }
    case 'ping': {
      // kad PING (type 5) on a fresh DHT stream: js itself pings with /ipfs/ping, so send it raw.
      const id = peerIdFromString(cmd.peer)
      const conn = await node.dial(id, { signal })
      const stream = await conn.newStream(args.protocol, { signal })
      const lp = lpStream(stream, { maxDataLength: 65536 })
      await lp.write(Uint8Array.from([0x08, 0x05]), { signal })
      const res = await lp.read({ signal })
      await stream.close()
      return { ok: hex(res.subarray()) === '0805' }
    }
    default:
      throw new Error(`unknown op ${cmd.op}`)
  }
}

const rl = createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (line.trim() === '') return
  let cmd
  try {
    cmd = JSON.parse(line)
    const res = await run(cmd)
    console.log(`RESULT ${JSON.stringify({ id: cmd.id, ...res })}`)
  } catch (err) {
    console.log(`FAILED ${JSON.stringify({ id: cmd?.id, error: String(err?.message ?? err) })}`)
  }
})
rl.on('close', async () => { await node.stop(); process.exit(0) })
setTimeout(async () => { await node.stop(); process.exit(0) }, args.timeout).unref()
