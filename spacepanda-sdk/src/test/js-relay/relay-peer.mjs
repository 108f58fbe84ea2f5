// js-libp2p circuit relay v2 + DCUtR peer for SpacePanda NAT traversal interop tests. Loopback only.
//
//   node relay-peer.mjs [--relay] [--announce MULTIADDR]... [--timeout MS]
//
// Listens on 127.0.0.1 with TCP and the circuit relay transport, serves identify, ping, DCUtR
// (@libp2p/dcutr) and a raw echo protocol (every byte written back, half-close answered with a
// half-close) also on limited (relayed) connections; with --relay it is also a circuit relay v2
// server (@libp2p/circuit-relay-v2 defaults: 2 min and 128 KiB per relayed connection). With
// --announce it announces only the given addresses (identify and DCUtR CONNECT use them).
// Prints "LISTENING <multiaddr>/p2p/<peer id>", then executes one JSON command per stdin line and
// prints "RESULT <json>" (or "FAILED <json>") for each:
//   {"op":"dial","addr":A}                       {"peer":ID,"remoteAddr":A,"limited":bool}
//   {"op":"reserve","relay":A}                   listen on A/p2p-circuit (reserves): {"addrs":[circuit addrs]}
//   {"op":"echo","addr":A,"data":HEX}            raw echo over a (possibly relayed) connection: {"data":HEX}
//   {"op":"conns","peer":ID}                     [{"remoteAddr":A,"direction":D,"limited":bool}]
//   {"op":"reservations"}                        {"peers":[ids]} held by this relay server
//   {"op":"dcutr"}                               {"events":[...]} what @libp2p/dcutr logged so far
// It exits when stdin closes or after --timeout ms.
import './polyfill.mjs'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createInterface } from 'node:readline'

export const ECHO_PROTOCOL = '/spacepanda/echo/1.0.0'

const args = { relay: false, announce: [], timeout: 120000 }
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  if (a === '--relay') args.relay = true
  else if (a === '--announce') args.announce.push(process.argv[++i])
  else if (a === '--timeout') args.timeout = Number(process.argv[++i])
  else throw new Error(`unknown argument ${a}`)
}

const hex = (u8) => Buffer.from(u8).toString('hex')
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'))

// Records what the DCUtR service logs (its format strings), so the tests can see which messages
// went back and forth; everything is still passed to the normal (DEBUG-controlled) logger.
const dcutrEvents = []
const base = defaultLogger()
function recording (log, prefix) {
  const f = (fmt, ...rest) => { dcutrEvents.push(prefix + String(fmt)); log(fmt, ...rest) }
  f.error = (fmt, ...rest) => { dcutrEvents.push(prefix + 'error: ' + String(fmt) + ' ' + rest.map(String).join(' ')); log.error(fmt, ...rest) }
  f.trace = (fmt, ...rest) => log.trace(fmt, ...rest)
  f.enabled = log.enabled
  f.newScope = (name) => recording(log.newScope(name), prefix)
  return f
}
const logger = {
  forComponent (name) {
    const log = base.forComponent(name)
    return name.startsWith('libp2p:dcutr') ? recording(log, '') : log
  }
}

const services = {
  identify: identify(),
  ping: ping(),
  dcutr: dcutr({ timeout: 5000 })
}
if (args.relay) {
  services.relay = circuitRelayServer()
}
const node = await createLibp2p({
  logger,
  addresses: {
    listen: ['/ip4/127.0.0.1/tcp/0'],
    ...(args.announce.length > 0 ? { announce: args.announce } : {})
  },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services
})
await node.handle(ECHO_PROTOCOL, handleEcho, { runOnLimitedConnection: true, maxInboundStreams: 64 })
await node.start()
const tcpAddr = node.getMultiaddrs().find(m => !m.toString().includes('p2p-circuit')) ??
  multiaddr(`${node.components.transportManager.getAddrs()[0]}/p2p/${node.peerId}`)
console.log(`LISTENING ${tcpAddr.toString().includes('/p2p/') ? tcpAddr : `${tcpAddr}/p2p/${node.peerId}`}`)

async function handleEcho (stream) {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk.subarray())) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

async function echo (addr, data, signal) {
  const stream = await node.dialProtocol(multiaddr(addr), ECHO_PROTOCOL, { signal, runOnLimitedConnection: true })
  const chunks = []
  const reading = (async () => {
    for await (const chunk of stream) chunks.push(chunk.subarray())
  })()
  for (let off = 0; off < data.length; off += 16384) {
    if (!stream.send(data.subarray(off, off + 16384))) await stream.onDrain({ signal })
  }
  await stream.close({ signal })
  await reading
  return Buffer.concat(chunks)
}

function conns (peer) {
  return node.getConnections(peerIdFromString(peer)).map(c => ({
    remoteAddr: c.remoteAddr.toString(),
    direction: c.direction,
    limited: c.limits != null
  }))
}

async function run (cmd) {
  const signal = AbortSignal.timeout(20000)
  switch (cmd.op) {
    case 'dial': {
      const c = await node.dial(multiaddr(cmd.addr), { signal })
      return { peer: c.remotePeer.toString(), remoteAddr: c.remoteAddr.toString(), limited: c.limits != null }
    }
    case 'reserve': {
      // resolves once the relay granted the reservation; with --announce no circuit address shows
      await node.components.transportManager.listen([multiaddr(`${cmd.relay}/p2p-circuit`)])
      return { addrs: node.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit')) }
    }
    case 'echo':
      return { data: hex(await echo(cmd.addr, bytes(cmd.data), signal)) }
    case 'conns':
      return { conns: conns(cmd.peer) }
    case 'reservations':
      return { peers: [...node.services.relay.reservations.keys()].map(String) }
    case 'dcutr':
      return { events: dcutrEvents }
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
