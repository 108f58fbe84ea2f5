// js-libp2p peer for SpacePanda interop tests. Loopback only.
//
//   node peer.mjs [--listen] [--dial <multiaddr>] [--run identify-ping|echo|parallel|sink|all]
//                 [--bytes N] [--frame N] [--streams N] [--no-early-muxer] [--timeout MS]
//
// Prints exactly one "LISTENING <multiaddr>/p2p/<peer id>" line once it listens, one
// "RESULT <json>" line per finished run, and "ERROR <message>" before exiting non-zero on failure.
// It always serves identify, ping and the echo protocol; it exits when stdin closes (so it dies
// with the process that started it), after --timeout ms, or when a dial run finishes.
import './polyfill.mjs'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/spacepanda/echo/1.0.0'
export const SINK_PROTOCOL = '/spacepanda/bench-sink/1.0.0'
const MAX_FRAME = 4 * 1024 * 1024

function parseArgs (argv) {
  const args = { listen: false, dial: null, run: 'all', bytes: 1024 * 1024, frame: 16 * 1024,
    streams: 32, earlyMuxer: true, timeout: 60000 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`)
      return argv[++i]
    }
    if (a === '--listen') args.listen = true
    else if (a === '--dial') args.dial = next()
    else if (a === '--run') args.run = next()
    else if (a === '--bytes') args.bytes = Number(next())
    else if (a === '--frame') args.frame = Number(next())
    else if (a === '--streams') args.streams = Number(next())
    else if (a === '--timeout') args.timeout = Number(next())
    else if (a === '--no-early-muxer') args.earlyMuxer = false
    else throw new Error(`unknown argument ${a}`)
  }
  if (!args.listen && args.dial == null) args.listen = true
  if (args.frame < 1 || args.frame > MAX_FRAME) throw new Error('--frame out of range')
  return args
}

// Wraps noise so it neither offers nor accepts muxers in the handshake extensions, which makes
// js fall back to a multistream-select round for the muxer.
function withoutEarlyMuxer (encrypterFactory) {
  return (components) => {
    const inner = encrypterFactory(components)
    return {
      protocol: inner.protocol,
      [Symbol.toStringTag]: 'noise-without-early-muxer',
      secureInbound: (conn, options) =>
        inner.secureInbound(conn, { ...options, skipStreamMuxerNegotiation: true }),
      secureOutbound: (conn, options) =>
        inner.secureOutbound(conn, { ...options, skipStreamMuxerNegotiation: true })
    }
  }
}

// Echo protocol: reads varint-length-prefixed frames and writes each back until the remote
// half-closes, then half-closes too.
async function handleEcho (stream) {
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME })
  try {
    while (true) {
      let frame
      try {
        frame = await lp.read()
      } catch (err) {
        if (err.name === 'UnexpectedEOFError') break
        throw err
      }
      await lp.write(frame)
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

// Bulk sink for throughput measurements: drops every byte and half-closes once the remote did.
function handleSink (stream) {
  stream.addEventListener('message', () => {})
  stream.addEventListener('remoteCloseWrite', () => {
    stream.close().catch((err) => stream.abort(err))
  })
}

// Writes `bytes` raw bytes in chunks of `frameSize` to the remote sink, honouring backpressure,
// half-closes, and stops the clock when the sink has half-closed too (so it has read everything).
async function sinkRun (node, target, bytes, frameSize) {
  const stream = await node.dialProtocol(target, SINK_PROTOCOL)
  const chunk = patternFrame(1, frameSize)
  const remoteDone = new Promise((resolve, reject) => {
    stream.addEventListener('remoteCloseWrite', resolve, { once: true })
    stream.addEventListener('close', (evt) => evt.error != null ? reject(evt.error) : resolve(), { once: true })
  })
  const started = process.hrtime.bigint()
  let sent = 0
  while (sent < bytes) {
    const size = Math.min(frameSize, bytes - sent)
    const data = size === frameSize ? chunk : chunk.subarray(0, size)
    sent += size
    if (!stream.send(data)) {
      await new Promise((resolve, reject) => {
        stream.addEventListener('drain', resolve, { once: true })
        stream.addEventListener('close', () => reject(new Error('stream closed while draining')), { once: true })
      })
    }
  }
  await stream.close()
  await remoteDone
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { run: 'sink', bytes: sent, seconds, mibPerSecond: sent / 1048576 / seconds }
}

function patternFrame (index, size) {
  const frame = new Uint8Array(size)
  for (let i = 0; i < size; i++) frame[i] = (index * 31 + i) & 0xff
  return frame
}

// Sends `bytes` in frames of `frameSize` while reading the echoes concurrently; checks every byte.
// The writer stays at most IN_FLIGHT bytes ahead of the echoes, because js streams abort once
// more than 4 MiB sit unread in a read buffer.
const IN_FLIGHT = 1024 * 1024
async function echoRun (node, target, bytes, frameSize) {
  const stream = await node.dialProtocol(target, ECHO_PROTOCOL)
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME })
  const frames = Math.ceil(bytes / frameSize)
  const started = process.hrtime.bigint()
  let sent = 0
  let received = 0
  let wakeWriter = null
  const writer = (async () => {
    for (let i = 0; i < frames; i++) {
      while (sent - received >= IN_FLIGHT) {
        await new Promise(resolve => { wakeWriter = resolve })
      }
      const size = Math.min(frameSize, bytes - i * frameSize)
      sent += size
      await lp.write(patternFrame(i, size))
    }
    await stream.close()
  })()
  writer.catch(() => {})
  for (let i = 0; i < frames; i++) {
    const frame = (await lp.read()).subarray()
    const expected = patternFrame(i, Math.min(frameSize, bytes - i * frameSize))
    if (frame.length !== expected.length || !frame.every((b, j) => b === expected[j])) {
      throw new Error(`echo frame ${i} differs`)
    }
    received += frame.length
    if (wakeWriter != null) {
      const wake = wakeWriter
      wakeWriter = null
      wake()
    }
  }
  await writer
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { run: 'echo', bytes: received, seconds, mibPerSecond: received / 1048576 / seconds }
}

async function parallelRun (node, target, streams) {
  const one = async (i) => {
    const r = await echoRun(node, target, 4096 + i, 1024)
    return r.bytes
  }
  const sizes = await Promise.all(Array.from({ length: streams }, (_, i) => one(i)))
  return { run: 'parallel', streams, bytes: sizes.reduce((a, b) => a + b, 0) }
}

// Handshake time for NetBenchmarks: `count` sequential new connections (TCP, multistream, Noise XX,
// Yamux) after 20 warm-up ones, each timed until node.dial resolves (the muxer is ready), as the
// Java figure is; each connection is closed before the next.
async function handshakeRun (node, target, count) {
  const times = []
  for (let i = 0; i < count + 20; i++) {
    const started = process.hrtime.bigint()
    await node.dial(target)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    await node.hangUp(target)
    if (i >= 20) times.push(ms)
  }
  times.sort((a, b) => a - b)
  return {
    run: 'handshake',
    dials: count,
    medianMs: times[Math.floor(times.length / 2)],
    p90Ms: times[Math.floor(times.length * 9 / 10)],
    minMs: times[0]
  }
}

async function identifyPingRun (node, target, identified) {
  const connection = await node.dial(target)
  const info = await identified(connection.remotePeer.toString())
  const rtt = await node.services.ping.ping(target)
  return {
    run: 'identify-ping',
    remotePeer: connection.remotePeer.toString(),
    muxer: connection.multiplexer ?? null,
    protocolVersion: info.protocolVersion ?? null,
    agentVersion: info.agentVersion ?? null,
    protocols: info.protocols,
    listenAddrs: info.listenAddrs.map(a => a.toString()),
    observedAddr: info.observedAddr?.toString() ?? null,
    rttMs: rtt
  }
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const encrypter = args.earlyMuxer ? noise() : withoutEarlyMuxer(noise())
  const node = await createLibp2p({
    addresses: { listen: args.listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [encrypter],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() }
  })
  const identifiedPeers = new Map()
  const waiting = new Map()
  node.addEventListener('peer:identify', (evt) => {
    const id = evt.detail.peerId.toString()
    identifiedPeers.set(id, evt.detail)
    waiting.get(id)?.(evt.detail)
  })
  const identified = (id) => identifiedPeers.has(id)
    ? Promise.resolve(identifiedPeers.get(id))
    : new Promise(resolve => waiting.set(id, resolve))
  await node.handle(ECHO_PROTOCOL, handleEcho, { maxInboundStreams: 1024 })
  await node.handle(SINK_PROTOCOL, handleSink, { maxInboundStreams: 16 })

  const stop = async (code) => {
    try { await node.stop() } finally { process.exit(code) }
  }
  setTimeout(() => {
    console.log('ERROR timeout')
    stop(2)
  }, args.timeout).unref()
  process.stdin.on('end', () => stop(0))
  process.stdin.resume()

  if (args.listen) {
    const addr = node.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
    console.log(`LISTENING ${addr.toString()}`)
  }
  if (args.dial != null) {
    const target = multiaddr(args.dial)
    const runs = args.run === 'all' ? ['identify-ping', 'echo', 'parallel'] : [args.run]
    for (const run of runs) {
      let result
      if (run === 'identify-ping') result = await identifyPingRun(node, target, identified)
      else if (run === 'echo') result = await echoRun(node, target, args.bytes, args.frame)
      else if (run === 'parallel') result = await parallelRun(node, target, args.streams)
      else if (run === 'sink') result = await sinkRun(node, target, args.bytes, args.frame)
      else if (run === 'handshake') result = await handshakeRun(node, target, args.streams)
      else throw new Error(`unknown run ${run}`)
      console.log(`RESULT ${JSON.stringify(result)}`)
    }
    if (!args.listen) await stop(0)
  }
}

main().catch((err) => {
  console.log(`ERROR ${err?.message ?? err}`)
  process.exit(1)
})
