package io.spacepanda.internal.net.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.InvalidPeerIdException;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.ProtocolHandler;
import io.spacepanda.internal.net.host.ProtocolLimits;
import io.spacepanda.internal.net.host.ResourceLimits;
import io.spacepanda.internal.net.host.ResourceManager;
import io.spacepanda.internal.net.kad.HostKadNetwork;
import io.spacepanda.internal.net.kad.KadConfig;
import io.spacepanda.internal.net.kad.KadDht;
import io.spacepanda.internal.net.kad.KadPeer;
import io.spacepanda.internal.net.kad.Validators;
import io.spacepanda.internal.net.record.PeerRecord;
import io.spacepanda.internal.net.record.RecordException;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportException;
import io.spacepanda.spi.TransportListener;
import java.util.ArrayDeque;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libp2p {@link Transport}: envelopes travel over a libp2p {@link Host} (TCP, Noise, Yamux),
 * many per long-lived {@code /spacepanda/envelope-stream/1.0.0} stream per peer.
 *
 * <p>Wire protocol ({@link EnvelopeStreamCodec}, specified there): the sender keeps one envelope
 * stream per peer open while it has envelopes to send, writes each envelope as one
 * length-prefixed {@code Envelope { bytes payload = 1; }} and keeps at most {@code
 * maxInboundStreamsPerConnection} of them unacknowledged; the receiver answers each with a {@code
 * StreamAck} naming its number once its {@link TransportListener#onEnvelope} future completed
 * (status 0) or failed (status 1). A stream idle for {@link
 * EnvelopeProtocolConstants#ENVELOPE_STREAM_IDLE} is half-closed by the sender. A peer that only
 * knows {@code /spacepanda/envelope/1.0.0} ({@link EnvelopeCodec}: one stream per envelope, one
 * {@code Ack}, both half-close) is still served both ways: the sender offers the stream protocol
 * first and falls back to one stream per envelope on that connection when the peer picks 1.0.0;
 * the receiver serves both. A malformed, oversized, truncated or too slow inbound envelope gets its
 * stream reset and is counted in {@link #rejectedStreams()}; the connection and its other streams
 * go on, and the sender's unacknowledged envelopes on a reset stream fail (the node's outbox
 * resends them).
 *
 * <p>Write path: the envelopes a send burst finds waiting are written to the stream as one buffer
 * (taken from the connection's pooled allocator, owned by the stream once written), acks of one
 * event-loop turn as one buffer, and the connection's flushes are consolidated so that small
 * frames share one Noise frame and one system call.
 *
 * <p>Bounds: inbound envelopes of at most {@code maxEnvelopeBytes}, at most {@code
 * maxInboundStreamsPerConnection} of them open per peer (the host's resource manager counts
 * them), and at most {@code maxInboundBufferedBytes} announced by all open inbound envelopes together (each stream's length
 * prefix is reserved in the host's {@link ResourceManager} until the stream ends; when the budget
 * is exhausted the peer holding most gives way, and a stream that announced an envelope and then
 * receives nothing for the manager's stall deadline is reset, so streams that announce much and
 * stall never lock out other peers nor delay other streams;
 * handshakes are admitted under the config's {@code admission} limits, with the address book's
 * IP addresses allowed into the reserved slots); an inbound envelope stream takes a new envelope only
 * while fewer than {@code maxInboundStreamsPerConnection} of its envelopes are unacknowledged and
 * otherwise leaves it in the muxer's window, so Yamux flow control pushes back on the sender; a
 * sender keeps at most that many envelopes in flight to one peer and queues the rest.
 *
 * <p>Addresses: the context's listen multiaddrs ({@value EnvelopeProtocolConstants#DEFAULT_LISTEN_ADDRESS}
 * when it names none), bootstrap multiaddrs ending in {@code /p2p/<peer id>} (dialed at {@link
 * #start()}), and whatever {@link #addPeerAddress} records in a bounded address book. {@link
 * #send} uses the open connection to the peer or dials its known addresses, newest first.
 *
 * <p>Timeouts: a dial takes at most the config's dial plus handshake timeouts (the host enforces
 * both); from the moment a connection to the peer exists to the acknowledgement at most {@code
 * sendTimeout}; an inbound envelope, once begun, has {@code receiveTimeout} to arrive whole. The factory does no I/O: the host and
 * its threads start in {@link #start()}.
 *
 * <p>Threading: thread-safe. Listener callbacks run on the host's event loop threads and are
 * expected not to block; a listener that throws is logged and, for an envelope, refused. {@link
 * #close()} closes every connection and stops every thread the transport started before returning.
 */
public final class Libp2pTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(Libp2pTransport.class);

  private final TransportContext context;
  private final Libp2pTransportConfig config;
  private final io.spacepanda.internal.net.nat.NatOptions nat;
  private io.spacepanda.internal.net.nat.NatTraversal traversal; // guarded by lock; set once in start()
  /**
   * Peers whose addresses the node gave ({@link #addPeerAddress}: members of its spaces, inviters,
   * joiners): NAT traversal prefers relays among them and grants them member relay limits.
   */
  private final Set<PeerId> namedPeers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<Multiaddr> listenOn;
  private final List<Multiaddr> bootstrap = new ArrayList<>();
  private final AddressBook addressBook;
  private final int maxMessageBytes;
  private final Set<CompletableFuture<Void>> pendingSends = ConcurrentHashMap.newKeySet();
  private final AtomicLong rejected = new AtomicLong();
  private final ResourceManager resources;
  private final AtomicLong announcedEnvelopes = new AtomicLong();
  private final AtomicLong envelopeStreamsAccepted = new AtomicLong();
  private final AtomicLong singleEnvelopeStreamsAccepted = new AtomicLong();
  private final Map<PeerId, PeerSender> senders = new ConcurrentHashMap<>();
  private final boolean legacyOnly;
  private final long streamIdleNanos;
  private final Object lock = new Object();
  private Host host; // guarded by lock; set once in start()
  private ScheduledThreadPoolExecutor timer; // guarded by lock; set once in start()
  private CompletableFuture<Void> started; // guarded by lock
  private volatile boolean closed;
  private final KadConfig kadConfig; // null: no DHT
  private volatile KadDht dht; // set once in start()

  /**
   * Creates a transport with {@link Libp2pTransportConfig#defaults()}; starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context) {
    this(context, Libp2pTransportConfig.defaults());
  }

  /**
   * Creates a transport; starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config) {
    this(context, config, KadConfig.defaults());
  }

  /**
   * Creates a transport that also runs a Kademlia DHT ({@link KadDht}) on its host; starts
   * nothing. The DHT finds peers whose known addresses fail (see {@link #findPeer}); the bootstrap
   * peers seed its routing table.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts
   * @param kad the DHT's parameters (its protocol id among them), or null for no DHT
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config, KadConfig kad) {
    this(context, config, ResourceManager.create(resourceLimits(config)),
        io.spacepanda.internal.net.nat.NatOptions.off(), kad, false);
  }

  /**
   * Creates a transport with NAT traversal options and a DHT; starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts
   * @param nat relay and NAT traversal options
   * @param kad the DHT's parameters, or null for no DHT
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config,
      io.spacepanda.internal.net.nat.NatOptions nat, KadConfig kad) {
    this(context, config, ResourceManager.create(resourceLimits(config)), nat, kad, false);
  }

  /**
   * Creates a transport with NAT traversal options; starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts
   * @param nat whether to serve as a relay and whether to traverse NATs (AutoNAT, relay
   *     reservations on bootstrap relays, circuit dials, DCUtR)
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config,
      io.spacepanda.internal.net.nat.NatOptions nat) {
    this(context, config, ResourceManager.create(resourceLimits(config)), nat, KadConfig.defaults(), false);
  }

  /**
   * Creates a transport whose host accounts connections, streams and memory in {@code resources}
   * (tests pass one with a virtual ticker); starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts; {@code maxInboundBufferedBytes} is the resources' business
   * @param resources the resource manager of the transport's host; serves this transport only
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config,
      ResourceManager resources) {
    this(context, config, resources, io.spacepanda.internal.net.nat.NatOptions.off(), KadConfig.defaults(), false);
  }

  /**
   * Creates a transport with a resource manager and NAT traversal options; starts nothing.
   *
   * @param context the node's identity, addresses and listener
   * @param config limits and timeouts; {@code maxInboundBufferedBytes} is the resources' business
   * @param resources the resource manager of the transport's host; serves this transport only
   * @param nat relay and NAT traversal options
   * @throws IllegalArgumentException if a listen or bootstrap address is malformed, a bootstrap
   *     address lacks {@code /p2p/}, or the identity's key is not the local peer's
   */
  public Libp2pTransport(TransportContext context, Libp2pTransportConfig config,
      ResourceManager resources, io.spacepanda.internal.net.nat.NatOptions nat) {
    this(context, config, resources, nat, KadConfig.defaults(), false);
  }

  /**
   * @param kad the DHT's parameters, or null for no DHT
   * @param legacyOnly speak only {@code /spacepanda/envelope/1.0.0}, one stream per envelope, as
   *     transports before the envelope streams did (for compatibility tests and benchmarks)
   */
  private Libp2pTransport(TransportContext context, Libp2pTransportConfig config,
      ResourceManager resources, io.spacepanda.internal.net.nat.NatOptions nat, KadConfig kad,
      boolean legacyOnly) {
    this.kadConfig = kad;
    this.resources = Objects.requireNonNull(resources, "resources");
    this.legacyOnly = legacyOnly;
    this.streamIdleNanos = Math.min(EnvelopeProtocolConstants.ENVELOPE_STREAM_IDLE.toNanos(),
        config.idleTimeout().toNanos() / 2);
    this.context = Objects.requireNonNull(context, "context");
    this.config = Objects.requireNonNull(config, "config");
    this.nat = Objects.requireNonNull(nat, "nat");
    PeerId keyPeer = PeerId.fromPublicKey(context.identity().publicKey());
    if (!keyPeer.equals(context.localPeer())) {
      throw new IllegalArgumentException(
          "identity key belongs to " + keyPeer + ", not to " + context.localPeer());
    }
    this.addressBook = new AddressBook(config.maxKnownPeers(), config.maxAddressesPerPeer());
    this.maxMessageBytes = EnvelopeCodec.maxEnvelopeMessageBytes(config.maxEnvelopeBytes());
    resources.setProtocolLimits(EnvelopeProtocolConstants.PROTOCOL_ID, new ProtocolLimits(
        config.maxInboundStreamsPerConnection(),
        Math.max(config.maxInboundStreamsPerConnection(), config.maxConnections() * 8),
        Long.MAX_VALUE, resources.limits().maxMemoryPerStream(),
        maxMessageBytes + EnvelopeProtocolConstants.MAX_PREFIX_BYTES));
    // envelopes may use the whole node-wide budget, with its eviction; every other protocol
    // served has limits of its own (issue 14)
    ProtocolBudgets.register(resources, config, kad == null ? null : kad.protocolId());
    List<String> listenText = context.listenAddresses().isEmpty()
        ? List.of(EnvelopeProtocolConstants.DEFAULT_LISTEN_ADDRESS)
        : context.listenAddresses();
    List<Multiaddr> on = new ArrayList<>();
    for (String text : listenText) {
      Multiaddr m = parse(text);
      if (m.tcpHostOrNull() == null) {
        throw new IllegalArgumentException("listen address is not a TCP address: " + text);
      }
      on.add(m);
    }
    this.listenOn = List.copyOf(on);
    for (String text : context.bootstrapPeers()) {
      Multiaddr m = parse(text);
      byte[] pid = m.peerIdOrNull();
      if (pid == null) {
        throw new IllegalArgumentException("bootstrap address lacks /p2p/<peer id>: " + text);
      }
      addPeerAddress(peerOf(pid, text), text);
      bootstrap.add(m);
    }
  }

  /**
   * Returns the resource limits a transport with {@code config} uses by default: {@link
   * ResourceLimits#defaults()} with the node-wide memory budget set to {@code
   * maxInboundBufferedBytes} and room for the largest envelope in one stream.
   *
   * @param config the transport's configuration
   * @return the limits
   */
  public static ResourceLimits resourceLimits(Libp2pTransportConfig config) {
    ResourceLimits d = ResourceLimits.defaults();
    long stream = Math.max(d.maxMemoryPerStream(),
        EnvelopeCodec.maxEnvelopeMessageBytes(config.maxEnvelopeBytes()) + 16L);
    return d.withMaxMemory(config.maxInboundBufferedBytes())
        .withMaxMemoryPerStream(stream)
        .withMemoryPerPeer(Math.max(d.maxMemoryPerPeer(), stream), Math.max(d.maxMemoryPerConnection(), stream));
  }

  /**
   * Returns the resource manager of this transport's host.
   *
   * @return the manager
   */
  public ResourceManager resources() {
    return resources;
  }

  /**
   * Returns a factory of transports with the default configuration, for {@code
   * .transport(Libp2pTransport.factory())}.
   *
   * @return the factory
   */
  public static Transport.Factory factory() {
    return factory(Libp2pTransportConfig.defaults());
  }

  /**
   * Returns a factory of transports with {@code config}.
   *
   * @param config limits and timeouts
   * @return the factory
   */
  public static Transport.Factory factory(Libp2pTransportConfig config) {
    Objects.requireNonNull(config, "config");
    return context -> new Libp2pTransport(context, config);
  }

  /**
   * Returns a factory of transports with {@code config} and NAT traversal options.
   *
   * @param config limits and timeouts
   * @param nat relay service and traversal switches
   * @return the factory
   */
  public static Transport.Factory factory(Libp2pTransportConfig config, io.spacepanda.internal.net.nat.NatOptions nat) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(nat, "nat");
    return context -> new Libp2pTransport(context, config, nat, KadConfig.defaults());
  }

  /**
   * Returns a factory of transports that speak only {@code /spacepanda/envelope/1.0.0} (one
   * stream per envelope), as transports before the envelope streams did; for compatibility tests
   * and before/after benchmarks.
   *
   * @param config limits and timeouts
   * @return the factory
   */
  public static Transport.Factory legacyFactory(Libp2pTransportConfig config) {
    Objects.requireNonNull(config, "config");
    return context -> new Libp2pTransport(context, config,
        ResourceManager.create(resourceLimits(config)),
        io.spacepanda.internal.net.nat.NatOptions.off(), KadConfig.defaults(), true);
  }

  /**
   * Returns a factory of transports with {@code config} and a DHT with {@code kad}.
   *
   * @param config limits and timeouts
   * @param kad the DHT's parameters, or null for no DHT
   * @return the factory
   */
  public static Transport.Factory factory(Libp2pTransportConfig config, KadConfig kad) {
    Objects.requireNonNull(config, "config");
    return context -> new Libp2pTransport(context, config, kad);
  }

  /**
   * Returns a factory of transports with {@code config}, NAT traversal options and a DHT.
   *
   * @param config limits and timeouts
   * @param nat relay service and traversal switches
   * @param kad the DHT's parameters, or null for no DHT
   * @return the factory
   */
  public static Transport.Factory factory(Libp2pTransportConfig config,
      io.spacepanda.internal.net.nat.NatOptions nat, KadConfig kad) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(nat, "nat");
    return context -> new Libp2pTransport(context, config, nat, kad);
  }

  /**
   * Starts the host, listens on every configured address and starts dialing the bootstrap peers;
   * a second call returns the first call's future.
   *
   * @return completes once every listen address is bound (bootstrap dials go on in the
   *     background), exceptionally with a {@link TransportException} if one cannot be bound or the
   *     transport was closed
   */
  @Override
  public CompletableFuture<Void> start() {
    Host h;
    CompletableFuture<Void> result;
    synchronized (lock) {
      if (started != null) {
        return started;
      }
      if (closed) {
        return CompletableFuture.failedFuture(new TransportException("transport closed"));
      }
      TransportIdentitySigner signer = new TransportIdentitySigner(context.identity());
      h = Host.builder()
          .identity(signer)
          .reusePort(nat.traversal())
          .muxer(new YamuxMuxerFactory())
          .maxConnections(config.maxConnections())
          .handshakeTimeout(config.handshakeTimeout())
          .idleTimeout(config.idleTimeout())
          .connectTimeout(config.dialTimeout())
          .admission(config.admission())
          .knownAddresses(addressBook::knowsAddress)
          .resources(resources)
          .threads(config.threads())
          .build();
      h.setProtocolHandler(EnvelopeProtocolConstants.PROTOCOL_ID, this::onInboundStream);
      if (!legacyOnly) {
        h.setProtocolHandler(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID, this::onInboundStream);
      }
      h.addConnectionListener(new Events());
      if (nat.any()) {
        traversal = new io.spacepanda.internal.net.nat.NatTraversal(h, signer, nat, bootstrap);
        traversal.setMemberPredicate(namedPeers::contains);
      }
      ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "spacepanda-transport-timer");
        thread.setDaemon(true);
        return thread;
      });
      t.setRemoveOnCancelPolicy(true);
      host = h;
      timer = t;
      if (kadConfig != null) {
        dht = HostKadNetwork.attach(h, kadConfig, Scheduler.of(t), System::currentTimeMillis, new SecureRandom());
      }
      result = new CompletableFuture<>();
      started = result;
    }
    List<CompletableFuture<Multiaddr>> binds = new ArrayList<>();
    for (Multiaddr m : listenOn) {
      binds.add(h.listen(m));
    }
    CompletableFuture.allOf(binds.toArray(new CompletableFuture<?>[0])).whenComplete((v, err) -> {
      if (err != null) {
        result.completeExceptionally(new TransportException("cannot listen on " + listenOn, err));
        return;
      }
      for (Multiaddr m : bootstrap) {
        dialQuietly(h, m);
      }
      KadDht d = dht;
      if (d != null) {
        List<KadPeer> seeds = new ArrayList<>();
        for (Multiaddr m : bootstrap) {
          seeds.add(new KadPeer(PeerId.fromBytes(m.peerIdOrNull()), List.of(m.withoutPeerId())));
        }
        d.addPeers(seeds);
        // Bootstrap: the routing-table peers persisted before a restart re-enter the table once
        // they answer a ping (so a restart needs no bootstrap node); then look up our own id
        // (filling the buckets near us and telling our neighbours we are here), then every bucket.
        pingRestored(d).thenCompose(x -> d.refresh())
            .whenComplete((done, failure) -> publishPeerRecord(h, d));
      }
      result.complete(null);
    });
    return result;
  }

  private static void dialQuietly(Host h, Multiaddr m) {
    try {
      h.dial(m).whenComplete((c, e) -> {
        if (e != null) {
          LOG.debug("bootstrap dial of {} failed", m, e);
        }
      });
    } catch (IllegalStateException e) {
      LOG.debug("host closed before bootstrap dial of {}", m);
    }
  }

  /**
   * Returns this node's full listen addresses, each ending in {@code /p2p/<peer id>}.
   *
   * @return the addresses; empty before {@link #start()} bound them and after {@link #close()}
   */
  @Override
  public List<String> listenAddresses() {
    Host h = hostOrNull();
    if (h == null || closed) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Multiaddr m : h.fullListenAddresses()) {
      out.add(m.toString());
    }
    for (Multiaddr m : h.advertisedAddresses()) { // relayed addresses of relay reservations
      try {
        out.add(m.withPeerId(h.peerId().bytes()).toString());
      } catch (MultiaddrException e) {
        LOG.debug("advertised address too long: {}", m);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Records a TCP multiaddr of a peer in the bounded address book; {@code /p2p/<peer id>} is
   * appended when missing.
   *
   * @param peer the peer
   * @param address {@code /ip4|ip6|dns4|dns6/…/tcp/…}, optionally ending in the peer's {@code
   *     /p2p/} id
   * @throws IllegalArgumentException if the address is malformed, not TCP, or names another peer
   */
  @Override
  public void addPeerAddress(PeerId peer, String address) {
    Objects.requireNonNull(peer, "peer");
    Multiaddr m = parse(Objects.requireNonNull(address, "address"));
    if (m.tcpHostOrNull() == null) {
      throw new IllegalArgumentException("not a TCP address: " + address);
    }
    byte[] pid = m.peerIdOrNull();
    if (pid == null) {
      try {
        m = m.withPeerId(peer.bytes());
      } catch (MultiaddrException e) {
        throw new IllegalArgumentException("cannot append the peer id to " + address, e);
      }
    } else if (!Arrays.equals(pid, peer.bytes())) {
      throw new IllegalArgumentException("address " + address + " names another peer than " + peer);
    }
    addressBook.add(peer, m);
    namedPeers.add(peer);
  }

  /**
   * Sends one envelope on the peer's envelope stream and waits for the peer's acknowledgement.
   *
   * @param recipient the peer
   * @param envelope the envelope; copied before this method returns
   * @return completes once the recipient acknowledged storing the envelope; fails with a {@link
   *     TransportException} when the transport is not running, the envelope is too large, no
   *     address is known, the peer cannot be reached or refused it, the stream broke, or a timeout
   *     passed
   */
  @Override
  public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(envelope, "envelope");
    Host h = hostOrNull();
    if (h == null || closed) {
      return CompletableFuture.failedFuture(new TransportException("transport not running"));
    }
    if (envelope.length > config.maxEnvelopeBytes()) {
      return CompletableFuture.failedFuture(new TransportException(
          "envelope of " + envelope.length + " bytes exceeds " + config.maxEnvelopeBytes()));
    }
    OutboundEnvelope out = new OutboundEnvelope(EnvelopeCodec.encodeEnvelope(envelope));
    CompletableFuture<Void> result = out.result;
    pendingSends.add(result);
    result.whenComplete((v, e) -> pendingSends.remove(result));
    if (closed) {
      out.fail(new TransportException("transport closed"));
      return result;
    }
    while (true) {
      PeerSender sender = senders.computeIfAbsent(recipient, PeerSender::new);
      int outcome = sender.submit(out);
      if (outcome == PeerSender.QUEUED) {
        return result;
      }
      if (outcome == PeerSender.FULL) {
        out.fail(new TransportException("too many envelopes waiting for " + recipient));
        return result;
      }
      // RETIRED: the sender was dropped as idle in between; take a fresh one
    }
  }

  /** Returns the number of peers with a sender: an open envelope stream or envelopes waiting (for tests). */
  int sendQueueCount() {
    return senders.size();
  }

  private CompletableFuture<Connection> connectionTo(Host h, PeerId peer) {
    Connection c = h.connectionOrNull(peer);
    if (c != null && c.isOpen()) {
      return CompletableFuture.completedFuture(c);
    }
    List<Multiaddr> addresses = addressBook.addresses(peer);
    io.spacepanda.internal.net.nat.NatTraversal nt = natTraversalOrNull();
    if (nt != null) { // when no direct address works, try the bootstrap relays
      addresses = new ArrayList<>(addresses);
      for (Multiaddr m : nt.circuitAddresses(peer)) {
        if (!addresses.contains(m)) {
          addresses.add(m);
        }
      }
    }
    List<Multiaddr> tried = addresses;
    CompletableFuture<Connection> known = tried.isEmpty()
        ? CompletableFuture.failedFuture(new TransportException("no address known for " + peer))
        : dialFirst(h, peer, tried, 0, null);
    if (dht == null) {
      return known;
    }
    // Peer routing: when every known address fails (or none is known), ask the DHT where the peer
    // is now and dial the addresses it names that were not tried yet.
    return known.handle((conn, e) -> e == null ? CompletableFuture.completedFuture(conn)
            : findPeer(peer).thenCompose(found -> {
              List<Multiaddr> fresh = new ArrayList<>(addressBook.addresses(peer));
              fresh.removeAll(tried);
              return fresh.isEmpty() ? CompletableFuture.<Connection>failedFuture(e)
                  : dialFirst(h, peer, fresh, 0, null);
            }))
        .thenCompose(f -> f);
  }

  /**
   * Finds a peer's current addresses through the DHT (a FIND_NODE lookup for its id, then its
   * signed peer record under {@code /sp/pr/} when no DHT node knew it) and records them in the
   * address book.
   *
   * @param peer the peer
   * @return completes with the addresses found (with {@code /p2p/}), empty when the DHT is off or
   *     nobody knew the peer; never fails
   */
  @Override
  public CompletableFuture<List<String>> findPeer(PeerId peer) {
    KadDht d = dht;
    if (d == null || closed) {
      return CompletableFuture.completedFuture(List.of());
    }
    return d.findPeer(peer).handle((r, e) -> {
      if (e != null || r.target() == null) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (Multiaddr m : r.target().addresses()) {
        if (m.tcpHostOrNull() == null) {
          continue;
        }
        try {
          Multiaddr full = m.withPeerId(peer.bytes());
          addressBook.add(peer, full);
          out.add(full.toString());
        } catch (MultiaddrException ex) {
          // skip an address that cannot carry the id
        }
      }
      return List.copyOf(out);
    }).thenCompose(found -> found != null ? CompletableFuture.completedFuture(found)
        : findPeerRecord(d, peer).thenApply(List::copyOf));
  }

  /**
   * Publishes this node's signed peer record (RFC 0003) under {@code /sp/pr/<peer id>}, so that
   * peers can find addresses this node signed even when no DHT node has it in its table.
   */
  /** When the signed peer record is published the second time, after the start. */
  private static final long FIRST_REPUBLISH_MILLIS = 30_000;

  /** How often the signed peer record is published again after that. */
  private static final long REPUBLISH_MILLIS = 10 * 60_000;

  private final java.util.concurrent.atomic.AtomicInteger publishedRecords =
      new java.util.concurrent.atomic.AtomicInteger();

  private void publishPeerRecord(Host h, KadDht d) {
    List<Multiaddr> addrs = new ArrayList<>();
    for (Multiaddr m : h.listenAddresses()) {
      String host = m.tcpHostOrNull();
      if (host != null && !host.equals("0.0.0.0") && !host.equals("::") && addrs.size() < PeerRecord.MAX_ADDRESSES) {
        addrs.add(m);
      }
    }
    for (Multiaddr m : h.advertisedAddresses()) { // relayed addresses of relay reservations
      if (addrs.size() < PeerRecord.MAX_ADDRESSES && !addrs.contains(m)) {
        addrs.add(m);
      }
    }
    // Published again soon after the start (a relay reservation made after the NAT probe is in
    // it then) and every REPUBLISH after that, before DHT records expire.
    long next = publishedRecords.getAndIncrement() == 0 ? FIRST_REPUBLISH_MILLIS : REPUBLISH_MILLIS;
    schedule(() -> {
      if (!closed) {
        publishPeerRecord(h, d);
      }
    }, next);
    if (addrs.isEmpty() || closed) {
      return;
    }
    byte[] signed = PeerRecord.now(context.localPeer(), addrs, java.time.Clock.systemUTC())
        .sign(new TransportIdentitySigner(context.identity()));
    d.putValue(Validators.peerRecordKey(context.localPeer().bytes()), signed).whenComplete((n, e) -> {
      if (e != null) {
        LOG.debug("publishing the peer record failed", e);
      }
    });
  }

  /** Fetches and verifies a peer's signed record from the DHT; records its addresses. */
  private CompletableFuture<List<String>> findPeerRecord(KadDht d, PeerId peer) {
    return d.getValue(Validators.peerRecordKey(peer.bytes())).handle((bytes, e) -> {
      List<String> out = new ArrayList<>();
      if (e != null || bytes == null) {
        return out;
      }
      try {
        PeerRecord r = PeerRecord.verify(bytes);
        if (r.peerId().equals(peer)) {
          signedRecords.put(peer, bytes.clone());
        }
        for (Multiaddr m : r.addresses()) {
          if (m.tcpHostOrNull() != null && r.peerId().equals(peer)) {
            Multiaddr full = m.withPeerId(peer.bytes());
            addressBook.add(peer, full);
            out.add(full.toString());
          }
        }
      } catch (RecordException | MultiaddrException ex) {
        LOG.debug("ignoring a peer record that does not verify");
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- address book persistence

  /** Signed peer records met on the way (verified), kept for the persisted address book. */
  private final Map<PeerId, byte[]> signedRecords = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, byte[]> eldest) {
          return size() > 256;
        }
      });

  /** Routing-table peers restored before start, pinged at start. */
  private final List<KadPeer> restoredRouting = new ArrayList<>(); // guarded by itself

  /**
   * Returns the DHT routing table's peers (flagged {@code routing}) then the address book's other
   * peers, newest first, each with its addresses and the signed record seen for it; at most
   * {@value io.spacepanda.spi.KnownPeer#MAX_KNOWN_PEERS}.
   *
   * @return the snapshot; empty before start
   */
  @Override
  public List<io.spacepanda.spi.KnownPeer> knownPeers() {
    java.time.Instant now = java.time.Instant.now();
    Map<PeerId, io.spacepanda.spi.KnownPeer> out = new java.util.LinkedHashMap<>();
    KadDht d = dht;
    if (d != null) {
      for (KadPeer p : d.routingTablePeers()) {
        List<String> addrs = new ArrayList<>();
        for (Multiaddr m : p.addresses()) {
          if (addrs.size() < io.spacepanda.spi.KnownPeer.MAX_ADDRESSES) {
            addrs.add(m.toString());
          }
        }
        out.put(p.id(), known(p.id(), addrs, true, now));
      }
    }
    for (Map.Entry<PeerId, List<Multiaddr>> e : addressBook.snapshot().entrySet()) {
      if (out.size() >= io.spacepanda.spi.KnownPeer.MAX_KNOWN_PEERS) {
        break;
      }
      List<String> addrs = new ArrayList<>();
      for (Multiaddr m : e.getValue()) {
        if (addrs.size() < io.spacepanda.spi.KnownPeer.MAX_ADDRESSES) {
          addrs.add(m.toString());
        }
      }
      out.putIfAbsent(e.getKey(), known(e.getKey(), addrs, false, now));
    }
    List<io.spacepanda.spi.KnownPeer> list = new ArrayList<>(out.values());
    return List.copyOf(list.subList(0, Math.min(list.size(), io.spacepanda.spi.KnownPeer.MAX_KNOWN_PEERS)));
  }

  private io.spacepanda.spi.KnownPeer known(PeerId peer, List<String> addrs, boolean routing,
      java.time.Instant now) {
    byte[] rec = signedRecords.get(peer);
    if (rec == null || rec.length > io.spacepanda.spi.KnownPeer.MAX_RECORD_LENGTH) {
      rec = new byte[0];
    }
    return new io.spacepanda.spi.KnownPeer(io.spacepanda.spi.Id.of(peer.bytes()), addrs, rec,
        routing, now);
  }

  /**
   * Takes back a persisted address book: addresses (and those of a signed record that verifies
   * and names the peer) go to the address book; routing-table peers are pinged at {@link #start()}
   * and re-enter the table when they answer. Malformed entries are skipped.
   *
   * @param peers the entries
   */
  @Override
  public void restoreKnownPeers(List<io.spacepanda.spi.KnownPeer> peers) {
    for (io.spacepanda.spi.KnownPeer k : peers) {
      PeerId peer;
      try {
        peer = PeerId.fromBytes(k.peer().toBytes());
      } catch (InvalidPeerIdException e) {
        continue;
      }
      if (peer.equals(context.localPeer())) {
        continue;
      }
      List<Multiaddr> addrs = new ArrayList<>();
      for (String a : k.addresses()) {
        try {
          Multiaddr m = Multiaddr.parse(a);
          if (m.tcpHostOrNull() != null) {
            addrs.add(m.withoutPeerId());
          }
        } catch (MultiaddrException | RuntimeException e) {
          // skip an address we cannot use
        }
      }
      byte[] rec = k.signedRecord();
      if (rec.length > 0) {
        try {
          PeerRecord r = PeerRecord.verify(rec);
          if (r.peerId().equals(peer)) {
            signedRecords.put(peer, rec);
            for (Multiaddr m : r.addresses()) {
              if (m.tcpHostOrNull() != null && !addrs.contains(m)) {
                addrs.add(m);
              }
            }
          }
        } catch (RecordException e) {
          // a record that does not verify is ignored
        }
      }
      for (Multiaddr m : addrs) {
        try {
          addressBook.add(peer, m.withPeerId(peer.bytes()));
        } catch (MultiaddrException e) {
          // skip
        }
      }
      if (k.routing() && !addrs.isEmpty()) {
        synchronized (restoredRouting) {
          if (restoredRouting.size() < io.spacepanda.spi.KnownPeer.MAX_KNOWN_PEERS) {
            restoredRouting.add(new KadPeer(peer,
                addrs.subList(0, Math.min(addrs.size(), io.spacepanda.internal.net.kad.KadMessage.MAX_ADDRESSES_PER_PEER))));
          }
        }
      }
    }
  }

  /** Pings the restored routing-table peers; those that answer re-enter the table. */
  private CompletableFuture<Void> pingRestored(KadDht d) {
    List<KadPeer> peers;
    synchronized (restoredRouting) {
      peers = List.copyOf(restoredRouting);
      restoredRouting.clear();
    }
    List<CompletableFuture<Void>> pings = new ArrayList<>();
    for (KadPeer p : peers) {
      pings.add(d.ping(p).handle((v, e) -> {
        if (e == null) {
          d.peerSeen(p);
        }
        return null;
      }));
    }
    return CompletableFuture.allOf(pings.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Connects to a peer: an open connection, its known addresses, the bootstrap relays, then peer
   * routing through the DHT.
   *
   * @param peer the peer
   * @return completes once connected
   */
  @Override
  public CompletableFuture<Void> connect(PeerId peer) {
    Objects.requireNonNull(peer, "peer");
    Host h = hostOrNull();
    if (h == null || closed) {
      return CompletableFuture.failedFuture(new TransportException("transport not running"));
    }
    return connectionTo(h, peer).thenApply(c -> (Void) null);
  }

  /**
   * Publishes a rendezvous value as the DHT record {@code /sp/rv/<tag>} on the peers closest to
   * it.
   *
   * @param tag 32 bytes
   * @param value starts with its expiry; see {@link Validators}
   * @return whether at least one peer acknowledged it; false without a DHT
   */
  @Override
  public CompletableFuture<Boolean> putRendezvous(byte[] tag, byte[] value) {
    KadDht d = dht;
    if (d == null || closed) {
      return CompletableFuture.completedFuture(false);
    }
    try {
      return d.putValue(Validators.rendezvousKey(tag), value).handle((n, e) -> e == null && n > 0);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(false);
    }
  }

  /**
   * Fetches the rendezvous value {@code /sp/rv/<tag>} from the DHT.
   *
   * @param tag 32 bytes
   * @return the best valid value, or empty
   */
  @Override
  public CompletableFuture<java.util.Optional<byte[]>> getRendezvous(byte[] tag) {
    KadDht d = dht;
    if (d == null || closed || tag.length != 32) {
      return CompletableFuture.completedFuture(java.util.Optional.empty());
    }
    return d.getValue(Validators.rendezvousKey(tag))
        .handle((v, e) -> e == null ? java.util.Optional.ofNullable(v) : java.util.Optional.empty());
  }

  /**
   * Returns the DHT this transport runs, for tests and measurements.
   *
   * @return the DHT, or null before start or when off
   */
  public KadDht dht() {
    return dht;
  }

  private CompletableFuture<Connection> dialFirst(
      Host h, PeerId peer, List<Multiaddr> addresses, int index, Throwable last) {
    if (index == addresses.size()) {
      return CompletableFuture.failedFuture(new TransportException("peer unreachable: " + peer, last));
    }
    CompletableFuture<Connection> dial;
    try {
      dial = h.dial(addresses.get(index));
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(new TransportException("transport closed", e));
    }
    return dial.handle((c, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(c);
          }
          LOG.debug("dial of {} failed", addresses.get(index), e);
          return dialFirst(h, peer, addresses, index + 1, unwrap(e));
        })
        .thenCompose(f -> f);
  }

  /**
   * Returns the peers with an open connection.
   *
   * @return an immutable snapshot; empty before start and after close
   */
  @Override
  public Set<PeerId> connectedPeers() {
    Host h = hostOrNull();
    if (h == null || closed) {
      return Set.of();
    }
    Set<PeerId> out = new HashSet<>();
    for (Connection c : h.connections()) {
      out.add(c.remotePeerId());
    }
    return Set.copyOf(out);
  }

  /**
   * Returns how many inbound envelope streams were reset for a malformed, oversized, truncated or
   * late envelope, or for exceeding the per-connection stream limit.
   *
   * @return the count since creation
   */
  public long rejectedStreams() {
    return rejected.get() + resources.refusedStreams(EnvelopeProtocolConstants.PROTOCOL_ID);
  }

  /** Returns how many inbound envelope streams (many envelopes each) were accepted (for tests). */
  long envelopeStreamsAccepted() {
    return envelopeStreamsAccepted.get();
  }

  /** Returns how many inbound one-envelope streams (1.0.0) were accepted (for tests). */
  long singleEnvelopeStreamsAccepted() {
    return singleEnvelopeStreamsAccepted.get();
  }

  /** Returns how many inbound envelopes announced their length so far (for tests). */
  long announcedEnvelopes() {
    return announcedEnvelopes.get();
  }

  /**
   * Returns the bytes announced by the inbound envelopes that are open now (the amount counted
   * against {@code maxInboundBufferedBytes}).
   *
   * @return the bytes reserved at this moment
   */
  public long inboundBufferedBytes() {
    return resources.memory();
  }

  /**
   * Closes every connection, fails pending sends, and stops the host's and the timer's threads
   * before returning; idempotent.
   */
  @Override
  public void close() {
    Host h;
    ScheduledThreadPoolExecutor t;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      h = host;
      t = timer;
    }
    io.spacepanda.internal.net.nat.NatTraversal nt = natTraversalOrNull();
    if (nt != null) {
      nt.close();
    }
    KadDht d = dht;
    if (d != null) {
      d.close();
    }
    if (h != null) {
      h.close();
    }
    for (CompletableFuture<Void> f : List.copyOf(pendingSends)) {
      f.completeExceptionally(new TransportException("transport closed"));
    }
    if (t != null) {
      t.shutdownNow();
      try {
        t.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "Libp2pTransport{" + context.localPeer() + "}";
  }

  /**
   * Returns the NAT traversal services, or null when none run or before {@link #start()}.
   *
   * @return the services
   */
  public io.spacepanda.internal.net.nat.NatTraversal natTraversalOrNull() {
    synchronized (lock) {
      return traversal;
    }
  }

  private Host hostOrNull() {
    synchronized (lock) {
      return host;
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long millis) {
    ScheduledThreadPoolExecutor t;
    synchronized (lock) {
      t = timer;
    }
    try {
      return t.schedule(task, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      task.run();
      return null;
    }
  }

  private static Multiaddr parse(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (MultiaddrException e) {
      throw new IllegalArgumentException("malformed multiaddr: " + text, e);
    }
  }

  private static PeerId peerOf(byte[] multihash, String text) {
    try {
      return PeerId.fromBytes(multihash);
    } catch (InvalidPeerIdException e) {
      throw new IllegalArgumentException("invalid peer id in " + text, e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
        || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void reject(MuxedStream stream, String why, Throwable cause) {
    rejected.incrementAndGet();
    LOG.debug("resetting inbound envelope stream: {}", why, cause);
    stream.reset();
  }

  // ---- inbound ----------------------------------------------------------------------------

  private StreamHandler onInboundStream(Connection connection, MuxedStream stream, String protocol) {
    // the host accounted the stream (streams per peer for this protocol) before calling here
    ResourceManager.StreamScope scope = resources.scopeOf(stream);
    if (scope == null) {
      reject(stream, "inbound envelope stream not accounted", null);
      return Discard.INSTANCE;
    }
    if (EnvelopeProtocolConstants.STREAM_PROTOCOL_ID.equals(protocol)) {
      envelopeStreamsAccepted.incrementAndGet();
      InboundEnvelopeStream in = new InboundEnvelopeStream(connection, stream, scope);
      scope.onAbort(() -> stream.executor().execute(in::abort));
      stream.closeFuture().whenComplete((v, e) -> in.ended());
      return in;
    }
    singleEnvelopeStreamsAccepted.incrementAndGet();
    InboundEnvelope in = new InboundEnvelope(connection, scope);
    scope.onAbort(() -> stream.executor().execute(in::abort));
    in.timeout = stream.executor().schedule(() -> {
      if (!in.reader.isComplete()) {
        reject(stream, "envelope not received in time", null);
      }
    }, config.receiveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    stream.closeFuture().whenComplete((v, e) -> in.timeout.cancel(false));
    return in;
  }

  /**
   * Hands a received envelope to the node's listener; completes, never exceptionally, with the
   * ack status: OK once the listener stored it, REFUSED when it failed, threw or returned null.
   */
  private CompletableFuture<Integer> handOver(PeerId from, byte[] payload) {
    CompletableFuture<Void> stored;
    try {
      stored = context.listener().onEnvelope(from, payload);
    } catch (RuntimeException e) {
      LOG.warn("envelope listener failed", e);
      stored = CompletableFuture.failedFuture(e);
    }
    if (stored == null) {
      stored = CompletableFuture.failedFuture(new IllegalStateException("listener returned null"));
    }
    return stored.handle((v, e) -> {
      if (e != null) {
        LOG.debug("envelope from {} refused by the listener", from, e);
        return EnvelopeProtocolConstants.STATUS_REFUSED;
      }
      return EnvelopeProtocolConstants.STATUS_OK;
    });
  }

  /** Receives one envelope on one inbound stream; confined to the stream's event loop. */
  private final class InboundEnvelope implements StreamHandler {
    final Connection connection;
    final ResourceManager.StreamScope scope;
    final PeerId from;
    final FrameReader reader = new FrameReader(maxMessageBytes);
    io.netty.util.concurrent.ScheduledFuture<?> timeout;
    boolean failed;
    boolean reserved;
    MuxedStream stream;

    InboundEnvelope(Connection connection, ResourceManager.StreamScope scope) {
      this.connection = connection;
      this.scope = scope;
      this.from = connection.remotePeerId();
    }

    /**
     * The resource manager gave this stream's memory away (to a peer holding less, or because it
     * stalled): a complete envelope is already with the listener, only partial ones are dropped.
     */
    void abort() {
      if (!failed && !reader.isComplete() && stream != null) {
        failed = true;
        timeout.cancel(false);
        reject(stream, "inbound envelope stalled or evicted for a peer holding less", null);
      }
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      byte[] message;
      this.stream = stream;
      try {
        if (failed) {
          return;
        }
        message = reader.offer(data);
      } catch (EnvelopeFrameException e) {
        failed = true;
        reject(stream, "malformed envelope frame", e);
        return;
      } finally {
        data.release();
        stream.consumed(n);
      }
      if (!reserved && reader.announcedLength() > 0) {
        announcedEnvelopes.incrementAndGet();
        reserved = true;
        if (!scope.reserveMemory(reader.announcedLength())) {
          failed = true;
          reject(stream, "inbound envelope budget exhausted", null);
          return;
        }
      } else if (n > 0) {
        scope.progress();
      }
      if (message == null) {
        return;
      }
      scope.received();
      timeout.cancel(false);
      byte[] payload;
      try {
        payload = EnvelopeCodec.decodeEnvelope(message);
      } catch (EnvelopeFrameException e) {
        failed = true;
        reject(stream, "malformed envelope message", e);
        return;
      }
      if (payload.length > config.maxEnvelopeBytes()) {
        failed = true;
        reject(stream, "envelope exceeds the size limit", null);
        return;
      }
      deliver(stream, payload);
    }

    private void deliver(MuxedStream stream, byte[] payload) {
      handOver(from, payload).thenAccept(status -> {
        stream.write(Unpooled.wrappedBuffer(EnvelopeCodec.encodeAck(status)));
        stream.closeWrite();
      });
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      if (!reader.isComplete() && !failed) {
        failed = true;
        reject(stream, "stream closed before the envelope was complete", null);
      }
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {
      failed = true;
      timeout.cancel(false);
    }
  }

  /**
   * Receives the envelopes of one long-lived inbound envelope stream ({@link EnvelopeStreamCodec})
   * and writes their acks; confined to the stream's event loop except {@link #ended()}, which may
   * run anywhere and only touches the budget.
   */
  private final class InboundEnvelopeStream implements StreamHandler {
    final Connection connection;
    final PeerId from;
    final StreamFrameDecoder decoder = new StreamFrameDecoder(maxMessageBytes,
        maxMessageBytes + EnvelopeProtocolConstants.MAX_PREFIX_BYTES
            + EnvelopeProtocolConstants.STREAM_BUFFER_SLACK_BYTES);
    final ResourceManager.StreamScope scope;
    final Set<Held> held = ConcurrentHashMap.newKeySet();
    MuxedStream stream;
    Held current; // of the envelope being read
    long nextSequence;
    int unacknowledged;
    boolean failed;
    boolean remoteClosed;
    boolean writeClosed;
    ByteBuf acks; // acks not yet written, one write per event-loop turn
    io.netty.util.concurrent.ScheduledFuture<?> partialTimer;
    long partialSequence = -1;
    int unreported; // bytes received but not yet reported as consumed to the muxer

    InboundEnvelopeStream(Connection connection, MuxedStream stream,
        ResourceManager.StreamScope scope) {
      this.connection = connection;
      this.from = connection.remotePeerId();
      this.stream = stream;
      this.scope = scope;
    }

    /**
     * The resource manager found the envelope being read stalled, or gave its memory to a peer
     * holding less: envelopes already with the listener keep their place, a partial one is
     * dropped with the stream.
     */
    void abort() {
      if (!failed && current != null) {
        fail("inbound envelope stalled or evicted for a peer holding less", null);
      }
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        if (failed) {
          return;
        }
        int n = data.readableBytes();
        decoder.add(data);
        unreported += n;
        if (n > 0 && current != null) {
          scope.progress();
        }
      } catch (EnvelopeFrameException e) {
        fail("too many bytes buffered on an envelope stream", e);
        return;
      } finally {
        data.release();
      }
      readEnvelopes();
    }

    /** Takes envelopes off the buffer while fewer than the limit are unacknowledged. */
    private void readEnvelopes() {
      try {
        while (!failed && unacknowledged < config.maxInboundStreamsPerConnection()) {
          long length = decoder.peekLength();
          if (length < 0) {
            break;
          }
          if (current == null && length > 0 && !reserve(length)) {
            if (unacknowledged > 0) {
              break; // the stream's share is held by envelopes not yet acknowledged: wait for them
            }
            fail("inbound envelope budget exhausted", null);
            return;
          }
          byte[] message = decoder.next();
          if (message == null) {
            break;
          }
          Held r = current;
          current = null;
          scope.received(); // complete: no longer watched for stalls until the next one begins
          byte[] payload = EnvelopeCodec.decodeEnvelope(message);
          if (payload.length > config.maxEnvelopeBytes()) {
            release(r);
            fail("envelope exceeds the size limit", null);
            return;
          }
          unacknowledged++;
          deliver(nextSequence++, payload, r);
        }
      } catch (EnvelopeFrameException e) {
        fail("malformed envelope on an envelope stream", e);
        return;
      }
      if (unacknowledged < config.maxInboundStreamsPerConnection() && unreported > 0) {
        // Not at the limit: what is buffered is at most one envelope being read (reserved in the
        // budget), so the window reopens. At the limit the bytes stay unreported and the muxer's
        // window pushes back on the sender.
        stream.consumed(unreported);
        unreported = 0;
      }
      watchPartial();
      if (remoteClosed && decoder.buffered() > 0 && unacknowledged == 0) {
        fail("stream closed before the envelope was complete", null); // only a partial one can be left
        return;
      }
      maybeCloseWrite();
    }

    /** Resets the stream if an envelope begun now is still incomplete after the receive timeout. */
    private void watchPartial() {
      boolean waitingForBytes = decoder.buffered() > 0
          && unacknowledged < config.maxInboundStreamsPerConnection();
      if (!waitingForBytes) {
        partialSequence = -1;
        return;
      }
      if (partialSequence == nextSequence) {
        return;
      }
      partialSequence = nextSequence;
      long watched = nextSequence;
      if (partialTimer != null) {
        partialTimer.cancel(false);
      }
      partialTimer = stream.executor().schedule(() -> {
        if (!failed && partialSequence == watched && nextSequence == watched) {
          fail("envelope not received in time", null);
        }
      }, config.receiveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean reserve(long bytes) {
      if (!scope.reserveMemory(bytes)) {
        return false;
      }
      announcedEnvelopes.incrementAndGet();
      Held r = new Held(bytes);
      current = r;
      held.add(r);
      return true;
    }

    private void release(Held r) {
      if (r != null && held.remove(r)) {
        scope.releaseMemory(r.bytes);
      }
    }

    private void deliver(long sequence, byte[] payload, Held r) {
      handOver(from, payload).thenAccept(status -> {
        Runnable ack = () -> acknowledge(sequence, status, r);
        if (stream.executor().inEventLoop()) {
          ack.run();
        } else {
          try {
            stream.executor().execute(ack);
          } catch (RejectedExecutionException closing) {
            release(r);
          }
        }
      });
    }

    private void acknowledge(long sequence, int status, Held r) {
      release(r);
      unacknowledged--;
      if (failed) {
        return;
      }
      if (acks == null) {
        acks = stream.alloc().buffer(64);
        stream.executor().execute(this::writeAcks); // after the other completions of this turn
      }
      EnvelopeStreamCodec.writeAck(sequence, status, acks);
      readEnvelopes();
    }

    private void writeAcks() {
      ByteBuf out = acks;
      acks = null;
      if (out == null) {
        return;
      }
      if (failed) {
        out.release();
        return;
      }
      stream.write(out);
      maybeCloseWrite();
    }

    private void maybeCloseWrite() {
      if (remoteClosed && !failed && !writeClosed && unacknowledged == 0 && acks == null
          && decoder.buffered() == 0) {
        writeClosed = true;
        stream.closeWrite();
      }
    }

    private void fail(String why, Throwable cause) {
      if (failed) {
        return;
      }
      failed = true;
      decoder.clear();
      if (partialTimer != null) {
        partialTimer.cancel(false);
      }
      if (acks != null) {
        acks.release();
        acks = null;
      }
      release(current);
      current = null;
      reject(stream, why, cause);
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      remoteClosed = true;
      readEnvelopes();
    }

    @Override
    public void onReset(MuxedStream s, StreamException cause) {
      failed = true;
      decoder.clear();
      if (partialTimer != null) {
        partialTimer.cancel(false);
      }
      if (acks != null) {
        acks.release();
        acks = null;
      }
      release(current);
      current = null;
    }

    /** The stream finished: releases what partial envelopes held (delivered ones release at their ack). */
    void ended() {
      Held r = current;
      if (r != null) {
        release(r);
      }
    }
  }

  /** Memory one envelope of an envelope stream reserved, until it is acknowledged. */
  private static final class Held {
    final long bytes;

    Held(long bytes) {
      this.bytes = bytes;
    }
  }

  /** Drops everything on a stream that was already reset. */
  private enum Discard implements StreamHandler {
    INSTANCE;

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      data.release();
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {}

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {}
  }

  // ---- outbound ---------------------------------------------------------------------------

  /**
   * Sends the envelopes for one peer over one long-lived envelope stream (or, to a peer that only
   * knows 1.0.0, one stream per envelope), at most a window of them unacknowledged.
   *
   * <p>Thread-safe: state is guarded by this object's lock; no future is completed and no
   * callback runs while it is held, except the stream writes, which only queue work on the
   * stream's event loop and keep the envelopes in sequence order.
   */
  private final class PeerSender implements ProtocolHandler, StreamHandler {
    static final int QUEUED = 0;
    static final int FULL = 1;
    static final int RETIRED = 2;

    final PeerId peer;
    final int window = config.maxInboundStreamsPerConnection();
    final ArrayDeque<OutboundEnvelope> queued = new ArrayDeque<>();
    final Map<Long, OutboundEnvelope> inFlight = new HashMap<>();
    MuxedStream stream; // the open envelope stream, or null
    StreamFrameDecoder acks;
    long nextSequence;
    boolean opening;
    Connection legacyConnection; // the peer only speaks 1.0.0 on this connection
    int legacyInFlight;
    long lastActivityNanos;
    boolean idleCheckArmed;
    boolean retired;
    boolean connectionKnown; // a connection exists (the send timeouts run) while the stream opens
    long openAttempt;

    PeerSender(PeerId peer) {
      this.peer = peer;
    }

    /** Queues {@code out} and starts sending; returns {@link #QUEUED}, {@link #FULL} or {@link #RETIRED}. */
    int submit(OutboundEnvelope out) {
      boolean connected;
      synchronized (this) {
        if (retired) {
          return RETIRED;
        }
        if (queued.size() >= EnvelopeProtocolConstants.MAX_QUEUED_SENDS_PER_PEER) {
          return FULL;
        }
        queued.add(out);
        connected = stream != null || legacyConnection != null || connectionKnown;
      }
      out.result.whenComplete((v, e) -> done(out));
      if (connected) {
        out.startTimer();
      }
      pump();
      return QUEUED;
    }

    /** Moves queued envelopes onto the stream as far as the window allows, opening one if needed. */
    void pump() {
      List<OutboundEnvelope> legacySends = null;
      Connection legacyOn = null;
      boolean open = false;
      synchronized (this) {
        if (stream != null) {
          MuxedStream s = stream;
          ByteBuf batch = null;
          while (inFlight.size() < window && !queued.isEmpty()) {
            OutboundEnvelope out = queued.poll();
            if (out.result.isDone()) {
              continue;
            }
            out.sequence = nextSequence++;
            inFlight.put(out.sequence, out);
            if (batch == null) {
              batch = s.alloc().buffer(Math.max(256, out.frame.length));
            }
            batch.writeBytes(out.frame);
          }
          if (batch != null) {
            lastActivityNanos = System.nanoTime();
            // written under the lock so that batches reach the stream in sequence order
            s.write(batch).whenComplete((v, e) -> {
              if (e != null) {
                streamBroke(s, new TransportException("writing to the envelope stream failed", unwrap(e)), true);
              }
            });
          }
        } else if (legacyConnection != null && legacyConnection.isOpen()) {
          legacyOn = legacyConnection;
          while (legacyInFlight < window && !queued.isEmpty()) {
            OutboundEnvelope out = queued.poll();
            if (out.result.isDone()) {
              continue;
            }
            out.legacy = true;
            legacyInFlight++;
            if (legacySends == null) {
              legacySends = new ArrayList<>();
            }
            legacySends.add(out);
          }
        } else if (!opening && !queued.isEmpty()) {
          legacyConnection = null;
          connectionKnown = false;
          opening = true;
          openAttempt++;
          open = true;
        }
        armIdleCheck();
      }
      if (legacySends != null) {
        for (OutboundEnvelope out : legacySends) {
          sendOnOwnStream(legacyOn, out);
        }
      }
      if (open) {
        openStream();
      }
    }

    private void sendOnOwnStream(Connection c, OutboundEnvelope out) {
      out.startTimer();
      c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), out).whenComplete((s, e) -> {
        if (e != null) {
          out.fail(new TransportException("cannot open an envelope stream to " + peer, unwrap(e)));
        }
      });
    }

    private void openStream() {
      Host h = hostOrNull();
      if (h == null || closed) {
        openFailed(new TransportException("transport closed"));
        return;
      }
      List<String> protocols = legacyOnly
          ? List.of(EnvelopeProtocolConstants.PROTOCOL_ID)
          : List.of(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID, EnvelopeProtocolConstants.PROTOCOL_ID);
      long attempt;
      synchronized (this) {
        attempt = openAttempt;
      }
      connectionTo(h, peer)
          .thenCompose(c -> {
            startTimers();
            // a peer that never answers the negotiation must not hold the sender forever
            schedule(() -> {
              boolean stuck;
              synchronized (this) {
                stuck = opening && openAttempt == attempt;
              }
              if (stuck) {
                openFailed(new TransportException("envelope stream to " + peer + " not negotiated in time"));
              }
            }, config.sendTimeout().toMillis());
            if (legacyOnly) {
              useLegacy(c);
              return CompletableFuture.completedFuture(null);
            }
            return c.openStream(protocols, this);
          })
          .whenComplete((s, e) -> {
            if (e != null) {
              Throwable cause = unwrap(e);
              openFailed(cause instanceof TransportException t ? t
                  : new TransportException("cannot open an envelope stream to " + peer, cause));
            }
          });
    }

    private void startTimers() {
      List<OutboundEnvelope> waiting;
      synchronized (this) {
        connectionKnown = true;
        waiting = new ArrayList<>(queued);
      }
      for (OutboundEnvelope out : waiting) {
        out.startTimer();
      }
    }

    private void useLegacy(Connection c) {
      synchronized (this) {
        opening = false;
        legacyConnection = c;
      }
      pump();
    }

    private void openFailed(TransportException cause) {
      List<OutboundEnvelope> failed;
      synchronized (this) {
        opening = false;
        openAttempt++; // a late outcome of this attempt is ignored
        connectionKnown = false;
        failed = new ArrayList<>(queued);
        queued.clear();
      }
      for (OutboundEnvelope out : failed) {
        out.fail(cause);
      }
      dropIfIdle();
    }

    @Override
    public StreamHandler onStream(Connection connection, MuxedStream s, String protocol) {
      if (EnvelopeProtocolConstants.PROTOCOL_ID.equals(protocol)) {
        // an older peer: this stream would carry one envelope; send each on its own instead
        s.reset();
        useLegacy(connection);
        return Discard.INSTANCE;
      }
      synchronized (this) {
        if (stream != null || closed) { // a late outcome of an attempt given up on: one stream is enough
          s.reset();
          return Discard.INSTANCE;
        }
        opening = false;
        stream = s;
        nextSequence = 0;
        acks = new StreamFrameDecoder(EnvelopeStreamCodec.MAX_ACK_MESSAGE_BYTES,
            EnvelopeStreamCodec.MAX_ACK_MESSAGE_BYTES + EnvelopeProtocolConstants.STREAM_BUFFER_SLACK_BYTES);
        lastActivityNanos = System.nanoTime();
      }
      // installed here, before the first write, so that no ack can reach the negotiation's handler
      s.setHandler(this);
      pump();
      return this;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      int n = data.readableBytes();
      List<OutboundEnvelope> stored = null;
      List<OutboundEnvelope> refused = null;
      TransportException broken = null;
      synchronized (this) {
        try {
          if (s != stream) {
            return;
          }
          acks.add(data);
          s.consumed(n);
          byte[] message;
          while ((message = acks.next()) != null) {
            EnvelopeStreamCodec.Ack ack = EnvelopeStreamCodec.decodeAck(message);
            OutboundEnvelope out = inFlight.remove(ack.sequence());
            if (out == null) {
              if (ack.sequence() >= nextSequence) {
                throw new EnvelopeFrameException("ack for an envelope never sent");
              }
              continue; // it timed out and left the window already
            }
            if (ack.status() == EnvelopeProtocolConstants.STATUS_OK) {
              stored = add(stored, out);
            } else {
              refused = add(refused, out);
            }
          }
          lastActivityNanos = System.nanoTime();
        } catch (EnvelopeFrameException e) {
          broken = new TransportException("malformed acknowledgement", e);
        } finally {
          data.release();
        }
      }
      if (stored != null) {
        for (OutboundEnvelope out : stored) {
          out.result.complete(null);
        }
      }
      if (refused != null) {
        for (OutboundEnvelope out : refused) {
          out.result.completeExceptionally(new TransportException("peer refused the envelope (status 1)"));
        }
      }
      if (broken != null) {
        streamBroke(s, broken, true);
      } else {
        pump();
      }
    }

    private static List<OutboundEnvelope> add(List<OutboundEnvelope> list, OutboundEnvelope out) {
      List<OutboundEnvelope> l = list == null ? new ArrayList<>() : list;
      l.add(out);
      return l;
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      streamBroke(s, new TransportException("peer closed the stream without acknowledging"), false);
      s.closeWrite();
    }

    @Override
    public void onReset(MuxedStream s, StreamException cause) {
      streamBroke(s, new TransportException("envelope stream reset before acknowledgement", cause), false);
    }

    /** Forgets stream {@code s}, fails what it left unacknowledged, and reopens if envelopes wait. */
    private void streamBroke(MuxedStream s, TransportException cause, boolean reset) {
      List<OutboundEnvelope> lost;
      synchronized (this) {
        if (s != stream) {
          return;
        }
        stream = null;
        acks = null;
        lost = new ArrayList<>(inFlight.values());
        inFlight.clear();
      }
      if (reset) {
        s.reset();
      }
      for (OutboundEnvelope out : lost) {
        out.result.completeExceptionally(cause);
      }
      pump();
      dropIfIdle();
    }

    /** Any completion of a queued envelope: frees its place in the window. */
    private void done(OutboundEnvelope out) {
      boolean freed = false;
      synchronized (this) {
        if (out.legacy) {
          out.legacy = false;
          legacyInFlight--;
          freed = true;
        } else if (out.sequence >= 0 && inFlight.get(out.sequence) == out) {
          inFlight.remove(out.sequence); // timed out or the transport closed
          freed = true;
        } else {
          queued.remove(out); // failed while waiting; rare, so the linear removal is fine
        }
      }
      if (freed) {
        pump();
      }
      dropIfIdle();
    }

    /** Half-closes the stream once nothing was in flight for the idle time (checked, not rescheduled per envelope). */
    private void armIdleCheck() {
      if (idleCheckArmed || stream == null || !inFlight.isEmpty() || !queued.isEmpty()) {
        return;
      }
      idleCheckArmed = true;
      long wait = Math.max(1, streamIdleNanos - (System.nanoTime() - lastActivityNanos));
      schedule(this::idleCheck, TimeUnit.NANOSECONDS.toMillis(wait) + 1);
    }

    private void idleCheck() {
      MuxedStream idle = null;
      synchronized (this) {
        idleCheckArmed = false;
        if (stream != null && inFlight.isEmpty() && queued.isEmpty()
            && System.nanoTime() - lastActivityNanos >= streamIdleNanos) {
          idle = stream;
          stream = null;
          acks = null;
        } else {
          armIdleCheck();
        }
      }
      if (idle != null) {
        idle.closeWrite();
        dropIfIdle();
      }
    }

    private void dropIfIdle() {
      senders.computeIfPresent(peer, (p, sender) -> sender.retireIfIdle() ? null : sender);
    }

    private synchronized boolean retireIfIdle() {
      boolean knownOlderPeer = legacyConnection != null && legacyConnection.isOpen();
      if (stream == null && !opening && queued.isEmpty() && inFlight.isEmpty() && legacyInFlight == 0
          && !knownOlderPeer) {
        retired = true;
      }
      return retired;
    }
  }

  /** One envelope to send; on a 1.0.0 peer it opens its own stream and reads its own acknowledgement. */
  private final class OutboundEnvelope implements ProtocolHandler, StreamHandler {
    final byte[] frame;
    final CompletableFuture<Void> result = new CompletableFuture<>();
    final FrameReader ackReader = new FrameReader(EnvelopeProtocolConstants.MAX_ACK_MESSAGE_BYTES);
    volatile MuxedStream stream; // the envelope's own stream, 1.0.0 only
    volatile ScheduledFuture<?> timer;
    private boolean timerStarted; // guarded by this
    long sequence = -1; // its number on the envelope stream; guarded by the sender
    boolean legacy; // sent on its own 1.0.0 stream; guarded by the sender

    OutboundEnvelope(byte[] frame) {
      this.frame = frame;
      result.whenComplete((v, e) -> {
        ScheduledFuture<?> t = timer;
        if (t != null) {
          t.cancel(false);
        }
      });
    }

    /** Starts the send timeout once a connection to the peer exists; later calls do nothing. */
    void startTimer() {
      synchronized (this) {
        if (timerStarted || result.isDone()) {
          return;
        }
        timerStarted = true;
      }
      ScheduledFuture<?> t = schedule(this::timeOut, config.sendTimeout().toMillis());
      timer = t;
      if (result.isDone() && t != null) {
        t.cancel(false);
      }
    }

    void timeOut() {
      fail(new TransportException("no acknowledgement within " + config.sendTimeout()));
    }

    void fail(Throwable cause) {
      if (result.completeExceptionally(cause)) {
        MuxedStream s = stream;
        if (s != null) {
          s.reset();
        }
      }
    }

    @Override
    public StreamHandler onStream(Connection connection, MuxedStream s, String protocol) {
      stream = s;
      if (result.isDone()) {
        s.reset();
        return Discard.INSTANCE;
      }
      // Host.openStream may run this off the event loop when the negotiation finished first; the
      // negotiation's handler would then drop an acknowledgement arriving before the host
      // installs ours. Installing it here, ahead of the write on the stream's loop, closes that gap.
      s.setHandler(this);
      s.write(Unpooled.wrappedBuffer(frame)).whenComplete((v, e) -> {
        if (e != null) {
          fail(new TransportException("writing the envelope failed", unwrap(e)));
        }
      });
      return this;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      int n = data.readableBytes();
      byte[] message;
      try {
        message = ackReader.offer(data);
      } catch (EnvelopeFrameException e) {
        fail(new TransportException("malformed acknowledgement", e));
        return;
      } finally {
        data.release();
        s.consumed(n);
      }
      if (message == null) {
        return;
      }
      int status;
      try {
        status = EnvelopeCodec.decodeAck(message);
      } catch (EnvelopeFrameException e) {
        fail(new TransportException("malformed acknowledgement", e));
        return;
      }
      s.closeWrite();
      if (status == EnvelopeProtocolConstants.STATUS_OK) {
        result.complete(null);
      } else {
        result.completeExceptionally(new TransportException("peer refused the envelope (status " + status + ")"));
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (!ackReader.isComplete()) {
        fail(new TransportException("peer closed the stream without acknowledging"));
      }
    }

    @Override
    public void onReset(MuxedStream s, StreamException cause) {
      result.completeExceptionally(new TransportException("envelope stream reset before acknowledgement", cause));
    }
  }

  /** Forwards the host's connection events to the node's listener. */
  private final class Events implements ConnectionListener {
    @Override
    public void onConnected(Connection connection) {
      if (closed) {
        return;
      }
      try {
        context.listener().onPeerConnected(connection.remotePeerId());
      } catch (RuntimeException e) {
        LOG.warn("transport listener failed on connect", e);
      }
    }

    @Override
    public void onDisconnected(Connection connection) {
      if (closed) {
        return;
      }
      try {
        context.listener().onPeerLost(connection.remotePeerId());
      } catch (RuntimeException e) {
        LOG.warn("transport listener failed on disconnect", e);
      }
    }
  }
}
