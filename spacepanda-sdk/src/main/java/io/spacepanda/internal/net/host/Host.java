package io.spacepanda.internal.net.host;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.ConnectionException.Kind;
import io.spacepanda.internal.net.identify.IdentifyConstants;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.identify.IdentifyReader;
import io.spacepanda.internal.net.identify.IdentifyResponder;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.multistream.MultistreamHandler;
import io.spacepanda.internal.net.multistream.MultistreamSelect;
import io.spacepanda.internal.net.multistream.StreamNegotiation;
import io.spacepanda.internal.net.noise.NoiseConstants;
import io.spacepanda.internal.net.noise.NoiseHandshakeHandler;
import io.spacepanda.internal.net.noise.SecureSession;
import io.spacepanda.internal.net.ping.PingConstants;
import io.spacepanda.internal.net.ping.PingInitiator;
import io.spacepanda.internal.net.ping.PingResponder;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.stream.StreamMuxer;
import io.spacepanda.internal.net.stream.StreamMuxerFactory;
import io.spacepanda.internal.net.tcp.TcpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host over TCP: listens and dials, upgrades every connection (multistream-select
 * {@code /noise}, Noise XX with early muxer negotiation, then the muxer, negotiated with
 * multistream-select when the handshake did not settle it), negotiates each stream's protocol
 * against a registry of {@link ProtocolHandler}s, and manages connections. Identify ({@code
 * /ipfs/id/1.0.0}) and ping ({@code /ipfs/ping/1.0.0}) are served from the start; {@link
 * #identify} and {@link #openPing} are their client sides.
 *
 * <p>Connection management: at most {@code maxConnections} upgraded connections; connections in
 * their upgrade are admitted by {@link HandshakeAdmission} under {@link AdmissionLimits} (per
 * address, per prefix, global with a reserve for known peers and own dials, eviction of the most
 * represented prefix's oldest handshake): a refused inbound connection is closed at once, a refused
 * dial fails with {@link ConnectionException.Kind#LIMIT_REACHED}. An upgrade that exceeds its
 * deadline (the {@code handshakeTimeout}, shortened to the limits' minimum as pending handshakes
 * approach their limit) is closed, and so is an inbound stream that names no protocol within
 * {@code handshakeTimeout}; a connection that has had no stream for {@code idleTimeout} is closed (muxer
 * keep-alive traffic does not count). Streams per connection and frame sizes are the muxer's
 * limits. Every upgraded connection and negotiated stream is accounted by the {@link
 * ResourceManager} (connections per peer, inbound streams per peer and per protocol, memory per
 * stream, connection, peer, protocol and node, stalls): a connection or stream it refuses is
 * closed or reset before any handler sees it. One connection per peer: a dial to a connected peer returns the existing connection,
 * concurrent dials to one peer share one attempt, and when both peers dialed
 * each other at once both keep the connection dialed by the peer with the smaller peer id and close
 * the other after {@link #SIMULTANEOUS_DIAL_GRACE}, so streams already opened on it can finish.
 *
 * <p>Threading: thread-safe. Each connection's work runs on one event loop thread of the host's
 * transport; {@link #close()} closes every connection and stops those threads before returning.
 */
public final class Host implements AutoCloseable {

  /** How long the losing connection of a simultaneous dial stays open. */
  public static final Duration SIMULTANEOUS_DIAL_GRACE = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(Host.class);

  private final IdentitySigner identity;
  private final PeerId peerId;
  private final Map<String, StreamMuxerFactory> muxers;
  private final boolean earlyMuxerNegotiation;
  private final int maxConnections;
  private final HandshakeAdmission admission;
  private final Duration handshakeTimeout;
  private final Duration idleTimeout;
  private final int maxNegotiationAttempts;
  private final SecureRandom random;
  private final LongSupplier nanoTicker;
  private final ResourceManager resources;
  private final String agentVersion;
  private final TcpTransport transport;

  private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> listenAddresses = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> advertisedAddresses = new CopyOnWriteArrayList<>();
  private volatile CircuitDialer circuitDialer;
  private final Object lock = new Object();
  private final Map<PeerId, ConnectionImpl> byPeer = new HashMap<>(); // guarded by lock
  private final Set<ConnectionImpl> all = ConcurrentHashMap.newKeySet();
  private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
  /** Remote TCP addresses whose next inbound connection takes the dialer's role: DCUtR's A side. */
  private final Map<InetSocketAddress, ExpectedPunch> expectedPunches = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private Host(Builder b) {
    this.identity = b.identity;
    this.peerId = PeerId.fromBytes(identity.publicKey().peerIdMultihash());
    this.muxers = new LinkedHashMap<>(b.muxers);
    this.earlyMuxerNegotiation = b.earlyMuxerNegotiation;
    this.maxConnections = b.maxConnections;
    this.admission = new HandshakeAdmission(b.admission, b.handshakeTimeout, b.knownAddress);
    this.handshakeTimeout = b.handshakeTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxNegotiationAttempts = b.maxNegotiationAttempts;
    this.random = b.random;
    this.nanoTicker = b.nanoTicker;
    this.resources = b.resources != null ? b.resources
        : ResourceManager.create(ResourceLimits.defaults(), b.nanoTicker);
    this.agentVersion = b.agentVersion;
    this.transport = new TcpTransport(b.threads, b.connectTimeout, "spacepanda-net", b.reusePort);
    // libp2p/specs identify: answer with our key, listen addresses, the peer's observed address
    // and our protocols, then close.
    handlers.put(IdentifyConstants.PROTOCOL_ID, (c, s, p) -> IdentifyResponder.respond(s, identifyMessage(c)));
    handlers.put(PingConstants.PROTOCOL_ID, (c, s, p) -> new PingResponder());
    long sweep = Math.max(50, Math.min(1000, resources.limits().stallTimeout().toMillis() / 4));
    transport.group().scheduleAtFixedRate(() -> {
      try {
        resources.sweepStalls();
      } catch (RuntimeException e) {
        LOG.warn("stall sweep failed", e);
      }
    }, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  /**
   * Returns the resource manager that accounts this host's connections and streams; protocols
   * register their limits with it and find their streams' scopes in it.
   *
   * @return the manager
   */
  public ResourceManager resources() {
    return resources;
  }

  private IdentifyMessage identifyMessage(Connection c) {
    List<byte[]> addrs = new ArrayList<>();
    for (Multiaddr m : listenAddresses) {
      addrs.add(m.toBytes());
    }
    for (Multiaddr m : advertisedAddresses) {
      addrs.add(m.toBytes());
    }
    return new IdentifyMessage(
        IdentifyConstants.PROTOCOL_VERSION,
        agentVersion,
        identity.publicKey().encoded(),
        addrs,
        c.remoteAddress().toBytes(),
        protocols(),
        new byte[0]);
  }

  /**
   * Asks the peer of {@code connection} to identify itself ({@code /ipfs/id/1.0.0}).
   *
   * @param connection an open connection
   * @return completes with the peer's identify message, or fails with an {@code IdentifyException},
   *     a {@code MultistreamException} when the peer does not serve identify, or a stream failure
   */
  public CompletableFuture<IdentifyMessage> identify(Connection connection) {
    IdentifyReader reader = new IdentifyReader();
    return connection
        .openStream(List.of(IdentifyConstants.PROTOCOL_ID), (c, s, p) -> reader.attach(s))
        .thenCompose(s -> reader.result());
  }

  /**
   * Opens a ping stream ({@code /ipfs/ping/1.0.0}) to the peer of {@code connection}.
   *
   * @param connection an open connection
   * @return completes with the pinger; call {@link PingInitiator#ping()} for each round trip and
   *     {@link PingInitiator#close()} when done
   */
  public CompletableFuture<PingInitiator> openPing(Connection connection) {
    PingInitiator pinger = new PingInitiator(random, nanoTicker);
    return connection
        .openStream(List.of(PingConstants.PROTOCOL_ID), (c, s, p) -> pinger.attach(s))
        .thenApply(s -> pinger);
  }

  /**
   * Returns a builder.
   *
   * @return a new builder with default limits
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns this host's peer id.
   *
   * @return the peer id of the identity key
   */
  public PeerId peerId() {
    return peerId;
  }

  /**
   * Returns this host's identity key.
   *
   * @return the public key
   */
  public Libp2pPublicKey publicKey() {
    return identity.publicKey();
  }

  /**
   * Starts listening on a TCP multiaddr.
   *
   * @param addr for example {@code /ip4/127.0.0.1/tcp/0}
   * @return completes with the bound address (port filled in), without /p2p
   */
  public CompletableFuture<Multiaddr> listen(Multiaddr addr) {
    checkOpen();
    return transport
        .listen(addr, this::accepted)
        .thenApply(
            ch -> {
              Multiaddr bound = TcpTransport.multiaddr(ch.localAddress());
              listenAddresses.add(bound);
              return bound;
            });
  }

  /**
   * Returns the addresses this host listens on.
   *
   * @return bound TCP addresses without /p2p
   */
  public List<Multiaddr> listenAddresses() {
    return List.copyOf(listenAddresses);
  }

  /**
   * Returns the addresses this host listens on, each ending in {@code /p2p/<peer id>}.
   *
   * @return dialable full addresses
   */
  public List<Multiaddr> fullListenAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr m : listenAddresses) {
      try {
        out.add(m.withPeerId(peerId.bytes()));
      } catch (MultiaddrException e) {
        throw new IllegalStateException("own peer id is a valid multihash", e);
      }
    }
    return out;
  }

  /**
   * Adds an address identify announces besides the listen addresses, such as a relayed {@code
   * …/p2p-circuit} address of a reservation; a no-op when already present.
   *
   * @param addr the address, normally ending in {@code /p2p/<relay>/p2p-circuit} or in this host's
   *     {@code /p2p/} id
   */
  public void addAdvertisedAddress(Multiaddr addr) {
    Objects.requireNonNull(addr, "addr");
    synchronized (advertisedAddresses) {
      if (!advertisedAddresses.contains(addr)) {
        advertisedAddresses.add(addr);
      }
    }
  }

  /**
   * Removes an address added with {@link #addAdvertisedAddress}.
   *
   * @param addr the address
   */
  public void removeAdvertisedAddress(Multiaddr addr) {
    advertisedAddresses.remove(addr);
  }

  /**
   * Returns the addresses added with {@link #addAdvertisedAddress}.
   *
   * @return a snapshot, in order of addition
   */
  public List<Multiaddr> advertisedAddresses() {
    return List.copyOf(advertisedAddresses);
  }

  /** Dials {@code /p2p-circuit} addresses for {@link #dial}; circuit relay v2 installs one. */
  @FunctionalInterface
  public interface CircuitDialer {
    /**
     * Opens a relayed connection.
     *
     * @param addr {@code …/p2p/<relay>/p2p-circuit/p2p/<peer>}
     * @return completes with the upgraded connection
     */
    CompletableFuture<Connection> dial(Multiaddr addr);
  }

  /**
   * Sets who dials {@code /p2p-circuit} addresses (default: none, so such dials fail).
   *
   * @param dialer the dialer, or null to remove it
   */
  public void setCircuitDialer(CircuitDialer dialer) {
    this.circuitDialer = dialer;
  }

  /**
   * Upgrades a channel that is not a TCP socket of this host, such as one over a relayed stream,
   * exactly as a TCP connection: multistream-select, Noise, muxer, then registration; admission and
   * connection limits apply (an inbound one counts as outbound for the per-address limits, as it
   * has no IP address). Call it on the channel's event loop once the channel is registered and
   * before it is active.
   *
   * @param ch a registered, not yet active channel whose addresses are {@link MultiaddrSocketAddress}es
   * @param initiator whether this side takes the dialer's role in the handshakes
   * @param expected the peer id to expect, or null to accept any (inbound)
   * @param result completes with the connection (the peer's current connection when another one
   *     wins), or fails as {@link #dial} does; may be null
   */
  public void upgrade(Channel ch, boolean initiator, PeerId expected, CompletableFuture<Connection> result) {
    initChannel(ch, initiator, expected, result);
  }

  /**
   * Makes the next inbound connection from one of {@code addrs}, accepted within {@code ttl}, take
   * the dialer's role in the handshakes and expect {@code peer}: DCUtR's side A, which must be the
   * client of the upgraded connection whether the two SYNs meet in a TCP simultaneous open or the
   * peer's SYN reaches this host's listener first (as on a network without NAT, where it otherwise
   * left both sides waiting as responders). Call it before the peer can dial, that is before
   * answering its CONNECT. At most {@value #MAX_EXPECTED_PUNCHES} are kept; expired ones are
   * dropped as new ones come.
   *
   * @param addrs the peer's observed TCP addresses (others are ignored)
   * @param peer the peer to expect
   * @param ttl how long the expectation holds
   */
  public void expectSimultaneousOpen(List<Multiaddr> addrs, PeerId peer, Duration ttl) {
    Objects.requireNonNull(peer, "peer");
    long deadline = System.nanoTime() + ttl.toNanos();
    expectedPunches.values().removeIf(e -> e.deadline - System.nanoTime() < 0);
    for (Multiaddr a : addrs) {
      if (expectedPunches.size() >= MAX_EXPECTED_PUNCHES) {
        return;
      }
      try {
        expectedPunches.put(TcpTransport.socketAddress(a.withoutPeerId()), new ExpectedPunch(peer, deadline));
      } catch (IllegalArgumentException notTcp) {
        // a relay or another transport's address: nothing can dial us from it over TCP
      }
    }
  }

  /** The most addresses {@link #expectSimultaneousOpen} keeps at a time. */
  public static final int MAX_EXPECTED_PUNCHES = 64;

  private record ExpectedPunch(PeerId peer, long deadline) {}

  /** An accepted TCP connection: the responder's role, unless a DCUtR punch expects it. */
  private void accepted(Channel ch) {
    if (!expectedPunches.isEmpty() && ch.remoteAddress() instanceof InetSocketAddress remote) {
      ExpectedPunch e = expectedPunches.remove(remote);
      if (e != null && e.deadline - System.nanoTime() >= 0) {
        LOG.debug("inbound connection from {} takes the dialer's role: DCUtR punch with {}", remote, e.peer);
        initChannel(ch, true, e.peer, null);
        return;
      }
    }
    initChannel(ch, false, null, null);
  }

  /**
   * Dials a TCP address from this host's first listen port, sharing it (a TCP simultaneous open for
   * DCUtR), and upgrades the connection in the given role whether or not the peer's own dial met
   * this one in a simultaneous open; an open connection to the peer does not prevent the dial.
   *
   * @param addr the peer's observed TCP address, ending in its /p2p id or not
   * @param initiator the role in the handshakes (in DCUtR: true for the peer that received the SYNC
   *     and dials first, false for the one that sent it)
   * @param expected the peer to expect
   * @return completes with the peer's connection afterwards: the new direct one, unless a direct
   *     one existed; fails with {@link ConnectionException} when port reuse is off or nothing listens
   */
  public CompletableFuture<Connection> dialFromListenPort(Multiaddr addr, boolean initiator, PeerId expected) {
    checkOpen();
    Objects.requireNonNull(expected, "expected");
    if (!transport.reusesPorts() || listenAddresses.isEmpty()) {
      return CompletableFuture.failedFuture(new ConnectionException(Kind.DIAL_FAILED, "no reusable listen port"));
    }
    InetSocketAddress local = new InetSocketAddress(TcpTransport.socketAddress(listenAddresses.get(0)).getPort());
    CompletableFuture<Connection> result = new CompletableFuture<>();
    try {
      transport.dialFrom(addr, local, ch -> initChannel(ch, initiator, expected, result))
          .whenComplete((ch, err) -> {
            if (err != null) {
              result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "TCP dial failed", err));
            }
          });
    } catch (IllegalArgumentException | IllegalStateException e) {
      result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "address cannot be dialed", e));
    }
    return result;
  }

  /**
   * Registers the handler of a protocol, replacing an earlier one.
   *
   * @param protocol the protocol id, such as {@code /ipfs/ping/1.0.0}
   * @param handler serves negotiated streams
   */
  public void setProtocolHandler(String protocol, ProtocolHandler handler) {
    handlers.put(Objects.requireNonNull(protocol, "protocol"), Objects.requireNonNull(handler, "handler"));
  }

  /**
   * Unregisters a protocol; streams already running are not affected.
   *
   * @param protocol the protocol id
   */
  public void removeProtocolHandler(String protocol) {
    handlers.remove(protocol);
  }

  /**
   * Returns the protocols this host serves, sorted.
   *
   * @return the registered protocol ids
   */
  public List<String> protocols() {
    return List.copyOf(new TreeSet<>(handlers.keySet()));
  }

  /**
   * Adds a connection listener.
   *
   * @param listener the listener
   */
  public void addConnectionListener(ConnectionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Returns the current connection to a peer, or null.
   *
   * @param peer the peer
   * @return the connection or null
   */
  public Connection connectionOrNull(PeerId peer) {
    synchronized (lock) {
      return byPeer.get(peer);
    }
  }

  /**
   * Returns all upgraded, open connections.
   *
   * @return a snapshot
   */
  public Collection<Connection> connections() {
    List<Connection> out = new ArrayList<>();
    for (ConnectionImpl c : all) {
      if (c.isOpen()) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Dials a peer, or returns the existing connection when the address names a connected peer.
   *
   * @param addr {@code /ip4|ip6|dns4|dns6/…/tcp/…}, normally ending in {@code /p2p/<peer id>},
   *     which the handshake then checks
   * @return completes with the connection, or fails with {@link ConnectionException}, a {@code
   *     NoiseException} (including a peer id mismatch) or a {@code MultistreamException}
   */
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    checkOpen();
    byte[] pid = addr.peerIdOrNull();
    PeerId expected = pid == null ? null : PeerId.fromBytes(pid);
    if (peerId.equals(expected)) {
      return CompletableFuture.failedFuture(new ConnectionException(Kind.DIAL_FAILED, "cannot dial self"));
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    if (expected != null) {
      Connection existing = connectionOrNull(expected);
      if (existing != null && existing.isOpen()) {
        return CompletableFuture.completedFuture(existing);
      }
      CompletableFuture<Connection> prior;
      while ((prior = pendingDials.putIfAbsent(expected, result)) != null) {
        if (!prior.isDone()) {
          return prior;
        }
        // a finished attempt whose cleanup has not run yet (dependents run before it when the
        // caller dials the next address from the failed one's callback)
        pendingDials.remove(expected, prior);
      }
      result.whenComplete((c, e) -> pendingDials.remove(expected, result));
    }
    if (openConnectionCount() >= maxConnections) {
      result.completeExceptionally(new ConnectionException(Kind.LIMIT_REACHED, "connection limit reached"));
      return result;
    }
    if (addr.isCircuit()) {
      CircuitDialer cd = circuitDialer;
      if (cd == null) {
        result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "no circuit relay client"));
        return result;
      }
      cd.dial(addr).whenComplete((c, e) -> {
        if (e != null) {
          result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e);
        } else {
          result.complete(c);
        }
      });
      return result;
    }
    if (transport.reusesPorts() && !listenAddresses.isEmpty()) {
      // Leave from the listen port, so that peers (and a NAT's mapping) observe the port others can
      // punch to; when the OS refuses (a 4-tuple still in TIME_WAIT), dial from an ephemeral port.
      CompletableFuture<Connection> first = new CompletableFuture<>();
      InetSocketAddress local = new InetSocketAddress(TcpTransport.socketAddress(listenAddresses.get(0)).getPort());
      try {
        transport.dialFrom(addr, local, ch -> initChannel(ch, true, expected, first)).whenComplete((ch, err) -> {
          if (err != null) {
            plainDial(addr, expected, result);
          } else {
            first.whenComplete((c, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              } else {
                result.complete(c);
              }
            });
          }
        });
        return result;
      } catch (IllegalArgumentException | IllegalStateException e) {
        result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "address cannot be dialed", e));
        return result;
      }
    }
    plainDial(addr, expected, result);
    return result;
  }

  private void plainDial(Multiaddr addr, PeerId expected, CompletableFuture<Connection> result) {
    CompletableFuture<Channel> tcp;
    try {
      tcp = transport.dial(addr, ch -> initChannel(ch, true, expected, result));
    } catch (IllegalArgumentException | IllegalStateException e) {
      result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "address cannot be dialed", e));
      return;
    }
    tcp.whenComplete(
            (ch, err) -> {
              if (err != null) {
                result.completeExceptionally(new ConnectionException(Kind.DIAL_FAILED, "TCP dial failed", err));
              }
            });
  }

  /** Returns the number of connections still in their upgrade (for tests). */
  int pendingHandshakes() {
    return admission.pending();
  }

  /**
   * Returns how many pending inbound handshakes were evicted to admit a connection from a less
   * represented prefix.
   *
   * @return the count since the host was built
   */
  public long evictedHandshakes() {
    return admission.evicted();
  }

  /**
   * Returns how many connections were refused by the pending-handshake limits.
   *
   * @return the count since the host was built
   */
  public long refusedHandshakes() {
    return admission.refused();
  }

  /**
   * Dials (or reuses the connection to) the peer of {@code addr} and opens a stream negotiated to
   * the first of {@code protocols} it accepts.
   *
   * @param addr the peer's address, normally ending in {@code /p2p/<peer id>}
   * @param protocols protocol ids in order of preference
   * @param handler takes over the stream after negotiation
   * @return completes with the stream, or fails as {@link #dial} and {@link
   *     Connection#openStream} do
   */
  public CompletableFuture<MuxedStream> newStream(
      Multiaddr addr, List<String> protocols, ProtocolHandler handler) {
    return dial(addr).thenCompose(c -> c.openStream(protocols, handler));
  }

  /** Refused inbound connections held before their close. */
  private final java.util.concurrent.atomic.AtomicInteger lingering =
      new java.util.concurrent.atomic.AtomicInteger();

  private int openConnectionCount() {
    int n = 0;
    for (ConnectionImpl c : all) {
      if (c.isOpen()) {
        n++;
      }
    }
    return n;
  }

  /** State of one connection's upgrade, confined to its event loop. */
  private final class Upgrade {
    final Channel channel;
    final boolean initiator;
    final PeerId expected;
    final CompletableFuture<Connection> result;
    boolean done;
    HandshakeAdmission.Ticket ticket;
    ScheduledFuture<?> timeout;
    ConnectionImpl connection;

    Upgrade(Channel channel, boolean initiator, PeerId expected, CompletableFuture<Connection> result) {
      this.channel = channel;
      this.initiator = initiator;
      this.expected = expected;
      this.result = result;
    }

    void fail(Throwable cause) {
      if (done) {
        return;
      }
      done = true;
      release();
      if (result != null) {
        result.completeExceptionally(cause);
      }
      LOG.debug("upgrade of {} failed", channel, cause);
      channel.close();
    }

    void release() {
      if (ticket != null) {
        admission.release(ticket);
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
    }
  }

  private void initChannel(Channel ch, boolean initiator, PeerId expected, CompletableFuture<Connection> result) {
    Upgrade up = new Upgrade(ch, initiator, expected, result);
    if (closed) {
      up.fail(new ConnectionException(Kind.CLOSED, "host closed"));
      return;
    }
    if (openConnectionCount() >= maxConnections) {
      refuse(up, new ConnectionException(Kind.LIMIT_REACHED, "connection limit reached"));
      return;
    }
    InetAddress remote = initiator ? null : remoteAddressOrNull(ch);
    up.ticket =
        remote == null
            ? admission.admitOutbound()
            : admission.admitInbound(
                remote,
                () -> evict(up));
    if (up.ticket == null) {
      refuse(up, new ConnectionException(Kind.LIMIT_REACHED, "pending handshake limit reached"));
      return;
    }
    up.timeout =
        ch.eventLoop()
            .schedule(
                () -> up.fail(new ConnectionException(Kind.HANDSHAKE_TIMEOUT, "connection upgrade timed out")),
                up.ticket.deadline().toMillis(),
                TimeUnit.MILLISECONDS);
    ch.closeFuture()
        .addListener(
            f -> {
              up.fail(new ConnectionException(Kind.CLOSED, "connection closed during upgrade"));
              ConnectionImpl c = up.connection;
              if (c != null) {
                onClosed(c);
              }
            });
    MultistreamSelect select =
        initiator
            ? MultistreamSelect.initiator(List.of(NoiseConstants.PROTOCOL_ID))
            : MultistreamSelect.responder(NoiseConstants.PROTOCOL_ID::equals, maxNegotiationAttempts);
    ch.pipeline()
        .addLast(
            "mss-security",
            new MultistreamHandler(
                select,
                new MultistreamHandler.Listener() {
                  @Override
                  public void onSelected(ChannelHandlerContext ctx, String protocol) {
                    addNoise(ctx, up);
                  }

                  @Override
                  public void onFailed(Throwable cause) {
                    up.fail(cause);
                  }
                }));
  }

  /**
   * Refuses an inbound connection over the pending-handshake limits. It is not closed at once but
   * held unread for {@link HostConstants#REFUSED_LINGER}, up to {@link
   * HostConstants#MAX_REFUSED_LINGERING} at a time (beyond, closed at once): a client that re-opens
   * every socket the node closes would otherwise make it accept, set up and close thousands of
   * sockets a second on the event loops its good peers share (issue 14: measured 2,770 a second in
   * the mixed soak). Outbound connections fail at once.
   */
  private void refuse(Upgrade up, ConnectionException cause) {
    if (up.initiator || lingering.incrementAndGet() > HostConstants.MAX_REFUSED_LINGERING) {
      if (!up.initiator) {
        lingering.decrementAndGet();
      }
      up.fail(cause);
      return;
    }
    up.channel.config().setAutoRead(false);
    try {
      up.channel.eventLoop().schedule(() -> {
        lingering.decrementAndGet();
        up.fail(cause);
      }, HostConstants.REFUSED_LINGER.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      lingering.decrementAndGet();
      up.fail(cause); // the host is closing
    }
  }

  /** Returns how many refused inbound connections are held before their close (for tests). */
  int lingering() {
    return lingering.get();
  }

  /** Closes an upgrade evicted for a newcomer, on its own event loop. */
  private static void evict(Upgrade up) {
    try {
      up.channel.eventLoop().execute(() -> up.fail(
          new ConnectionException(Kind.LIMIT_REACHED, "pending handshake evicted for a newcomer")));
    } catch (RejectedExecutionException e) {
      LOG.debug("event loop of an evicted handshake already stopped", e); // the host is closing
    }
  }

  private static InetAddress remoteAddressOrNull(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  private void addNoise(ChannelHandlerContext ctx, Upgrade up) {
    List<String> offered = earlyMuxerNegotiation ? List.copyOf(muxers.keySet()) : List.of();
    byte[] expected = up.expected == null ? null : up.expected.bytes();
    ctx.pipeline()
        .addAfter(
            ctx.name(),
            "noise-handshake",
            new NoiseHandshakeHandler(
                up.initiator,
                identity,
                random,
                expected,
                offered,
                new NoiseHandshakeHandler.Listener() {
                  @Override
                  public void onSecured(ChannelHandlerContext c, SecureSession session) {
                    onSecure(up, session);
                  }

                  @Override
                  public void onFailed(Throwable cause) {
                    up.fail(cause);
                  }
                }));
  }

  private void onSecure(Upgrade up, SecureSession session) {
    if (up.done) {
      return;
    }
    String early = session.earlyMuxerOrNull();
    if (early != null) {
      installMuxer(up, session, early, true);
      return;
    }
    MultistreamSelect select =
        up.initiator
            ? MultistreamSelect.initiator(List.copyOf(muxers.keySet()))
            : MultistreamSelect.responder(muxers::containsKey, maxNegotiationAttempts);
    up.channel
        .pipeline()
        .addLast(
            "mss-muxer",
            new MultistreamHandler(
                select,
                new MultistreamHandler.Listener() {
                  @Override
                  public void onSelected(ChannelHandlerContext ctx, String protocol) {
                    installMuxer(up, session, protocol, false);
                  }

                  @Override
                  public void onFailed(Throwable cause) {
                    up.fail(cause);
                  }
                }));
  }

  private void installMuxer(Upgrade up, SecureSession session, String protocol, boolean early) {
    if (up.done) {
      return;
    }
    ConnectionImpl conn = new ConnectionImpl(this, up.channel, session, protocol, early);
    try {
      ResourceManager.ConnectionScope scope = resources.openConnection(conn.remotePeerId(),
          up.initiator ? ResourceManager.Direction.OUTBOUND : ResourceManager.Direction.INBOUND);
      conn.setScope(scope);
      up.channel.closeFuture().addListener(f -> scope.close());
    } catch (ResourceLimitException e) {
      up.fail(new ConnectionException(Kind.LIMIT_REACHED, e.getMessage()));
      return;
    }
    StreamMuxer muxer;
    try {
      muxer = muxers.get(protocol).install(up.channel, up.initiator, s -> onInboundStream(conn, s));
    } catch (RuntimeException e) {
      up.fail(e);
      return;
    }
    conn.setMuxer(muxer);
    up.connection = conn;
    up.done = true;
    up.release();
    watchIdleness(conn);
    Connection winner = register(conn);
    if (up.result != null) {
      up.result.complete(winner);
    }
  }

  /**
   * Closes {@code conn} once it has had no open stream, and opened none, for {@code idleTimeout}.
   * Traffic does not count: muxer keep-alive pings flow on idle connections.
   */
  private void watchIdleness(ConnectionImpl conn) {
    long period = Math.max(50, idleTimeout.toMillis() / 4);
    long[] idleFor = {0};
    long[] lastOpened = {conn.streamsOpened()};
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    task[0] =
        conn.channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  if (!conn.isOpen()) {
                    task[0].cancel(false);
                    return;
                  }
                  long opened = conn.streamsOpened();
                  if (conn.streamCount() > 0 || opened != lastOpened[0]) {
                    idleFor[0] = 0;
                    lastOpened[0] = opened;
                  } else {
                    idleFor[0] += period;
                    if (idleFor[0] >= idleTimeout.toMillis()) {
                      LOG.debug("closing idle connection {}", conn);
                      conn.close();
                      task[0].cancel(false);
                    }
                  }
                },
                period,
                period,
                TimeUnit.MILLISECONDS);
  }

  /** Records an upgraded connection, resolving a simultaneous dial; returns the peer's connection. */
  private Connection register(ConnectionImpl conn) {
    ConnectionImpl loser = null;
    ConnectionImpl winner;
    boolean fresh;
    synchronized (lock) {
      all.add(conn);
      ConnectionImpl existing = byPeer.get(conn.remotePeerId());
      if (existing == null || !existing.isOpen()) {
        byPeer.put(conn.remotePeerId(), conn);
        winner = conn;
        fresh = true;
      } else if (existing.isRelayed() != conn.isRelayed()) {
        // A direct connection (a DCUtR hole punch) replaces a relayed one; a relayed one never
        // replaces a direct one. The other is closed after the grace period.
        winner = conn.isRelayed() ? existing : conn;
        loser = winner == conn ? existing : conn;
        byPeer.put(conn.remotePeerId(), winner);
        fresh = winner == conn;
      } else if (dialer(existing).equals(dialer(conn))) {
        winner = existing;
        fresh = false;
      } else {
        PeerId keepDialer = dialer(existing).compareTo(dialer(conn)) < 0 ? dialer(existing) : dialer(conn);
        winner = dialer(conn).equals(keepDialer) ? conn : existing;
        loser = winner == conn ? existing : conn;
        byPeer.put(conn.remotePeerId(), winner);
        fresh = winner == conn;
      }
    }
    if (closed) {
      conn.close();
    }
    if (loser != null) {
      ConnectionImpl l = loser;
      l.channel().eventLoop().schedule(l::close, SIMULTANEOUS_DIAL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (fresh) {
      for (ConnectionListener listener : listeners) {
        try {
          listener.onConnected(winner);
        } catch (RuntimeException e) {
          LOG.warn("connection listener failed", e);
        }
      }
    }
    return winner;
  }

  private PeerId dialer(ConnectionImpl c) {
    return c.isInitiator() ? peerId : c.remotePeerId();
  }

  private void onClosed(ConnectionImpl c) {
    boolean wasCurrent;
    synchronized (lock) {
      all.remove(c);
      wasCurrent = byPeer.remove(c.remotePeerId(), c);
    }
    if (wasCurrent) {
      for (ConnectionListener listener : listeners) {
        try {
          listener.onDisconnected(c);
        } catch (RuntimeException e) {
          LOG.warn("connection listener failed", e);
        }
      }
    }
  }

  private void onInboundStream(ConnectionImpl conn, MuxedStream stream) {
    conn.streamOpened();
    ResourceManager.ConnectionScope connScope = conn.scope();
    if (connScope != null && resources.refuseUnnegotiated(connScope)) {
      // beyond every limit already, or penalized for refused streams: one reset, no negotiation
      stream.reset();
      return;
    }
    CompletableFuture<StreamNegotiation.Result> negotiation =
        StreamNegotiation.negotiate(stream, MultistreamSelect.responder(handlers::containsKey, maxNegotiationAttempts));
    // A peer that opens streams and never names a protocol must not pin them: reset after the
    // handshake timeout.
    ScheduledFuture<?> timer =
        stream.executor().schedule(() -> {
          if (!negotiation.isDone()) {
            stream.reset();
          }
        }, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    negotiation
        .whenComplete((r, err) -> timer.cancel(false))
        .whenComplete(
            (r, err) -> {
              if (err != null) {
                LOG.debug("inbound stream negotiation failed on {}", conn, err);
                return;
              }
              ProtocolHandler h = handlers.get(r.protocol());
              if (h == null) {
                r.leftover().release();
                stream.reset();
                return;
              }
              try {
                attach(conn, stream, r, h, ResourceManager.Direction.INBOUND);
              } catch (RuntimeException e) {
                LOG.debug("inbound {} stream refused on {}", r.protocol(), conn, e);
              }
            });
  }

  CompletableFuture<MuxedStream> openStream(ConnectionImpl conn, List<String> protocols, ProtocolHandler handler) {
    Objects.requireNonNull(handler, "handler");
    MultistreamSelect select = MultistreamSelect.initiator(protocols);
    StreamMuxer muxer = conn.muxer();
    if (muxer == null || !conn.isOpen()) {
      return CompletableFuture.failedFuture(new ConnectionException(Kind.CLOSED, "connection closed"));
    }
    conn.streamOpened();
    // The continuation that installs the protocol handler must be registered before the
    // negotiation can complete: registered from another thread, it could run after bytes that
    // followed the negotiation reached the (finished) negotiation handler and were dropped. On the
    // stream's event loop it is registered before the negotiation's first task runs, and then runs
    // inline when the negotiation completes.
    return muxer.openStream().thenCompose(s -> {
      CompletableFuture<MuxedStream> attached = new CompletableFuture<>();
      s.executor().execute(() -> StreamNegotiation.negotiate(s, select)
          .thenApply(r -> attach(conn, s, r, handler, ResourceManager.Direction.OUTBOUND))
          .whenComplete((stream, e) -> {
            if (e != null) {
              attached.completeExceptionally(e);
            } else {
              attached.complete(stream);
            }
          }));
      return attached;
    });
  }

  private MuxedStream attach(ConnectionImpl conn, MuxedStream stream, StreamNegotiation.Result r,
      ProtocolHandler h, ResourceManager.Direction direction) {
    ByteBuf leftover = r.leftover();
    ResourceManager.ConnectionScope connScope = conn.scope();
    if (connScope != null) {
      ResourceManager.StreamScope scope;
      try {
        scope = resources.openStream(connScope, stream, r.protocol(), direction);
      } catch (ResourceLimitException e) {
        leftover.release();
        stream.reset();
        throw new IllegalStateException(e.getMessage(), e);
      }
      stream.closeFuture().whenComplete((v, e) -> scope.close());
    }
    StreamHandler sh;
    try {
      sh = h.onStream(conn, stream, r.protocol());
    } catch (RuntimeException e) {
      LOG.warn("protocol handler {} failed", r.protocol(), e);
      leftover.release();
      stream.reset();
      throw e;
    }
    stream.setHandler(sh);
    if (leftover.isReadable()) {
      sh.onData(stream, leftover);
    } else {
      leftover.release();
    }
    return stream;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("host closed");
    }
  }

  /**
   * Closes every connection and listener and stops the host's threads; a no-op when closed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ConnectionImpl c : all) {
      c.close();
    }
    for (CompletableFuture<Connection> f : pendingDials.values()) {
      f.completeExceptionally(new ConnectionException(Kind.CLOSED, "host closed"));
    }
    transport.close();
  }

  /**
   * Configures a {@link Host}.
   *
   * <p>Not thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private IdentitySigner identity;
    private final Map<String, StreamMuxerFactory> muxers = new LinkedHashMap<>();
    private boolean earlyMuxerNegotiation = true;
    private int maxConnections = HostConstants.DEFAULT_MAX_CONNECTIONS;
    private AdmissionLimits admission = AdmissionLimits.defaults();
    private Predicate<InetAddress> knownAddress = a -> false;
    private Duration handshakeTimeout = HostConstants.DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration idleTimeout = HostConstants.DEFAULT_IDLE_TIMEOUT;
    private Duration connectTimeout = HostConstants.DEFAULT_CONNECT_TIMEOUT;
    private int maxNegotiationAttempts = HostConstants.DEFAULT_MAX_NEGOTIATION_ATTEMPTS;
    private int threads = HostConstants.DEFAULT_THREADS;
    private SecureRandom random;
    private LongSupplier nanoTicker = System::nanoTime;
    private ResourceManager resources;
    private String agentVersion = HostConstants.DEFAULT_AGENT_VERSION;
    private boolean reusePort;

    private Builder() {}

    /**
     * Sets whether listeners and hole-punching dials share ports with SO_REUSEPORT (default
     * {@code false}); {@link Host#dialFromListenPort} needs it.
     *
     * @param enabled whether to reuse ports where the OS supports it
     * @return this builder
     */
    public Builder reusePort(boolean enabled) {
      this.reusePort = enabled;
      return this;
    }

    /**
     * Sets the agent version announced by identify (default {@link
     * HostConstants#DEFAULT_AGENT_VERSION}).
     *
     * @param agentVersion for example {@code spacepanda/0.1.0}
     * @return this builder
     */
    public Builder agentVersion(String agentVersion) {
      this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
      return this;
    }

    /**
     * Sets the monotonic clock used for ping round-trip times (default {@link System#nanoTime()}).
     *
     * @param nanoTicker a nanosecond ticker
     * @return this builder
     */
    public Builder nanoTicker(LongSupplier nanoTicker) {
      this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
      return this;
    }

    /**
     * Sets the node's identity.
     *
     * @param identity the identity key as a signer
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder identity(IdentitySigner identity) {
      Objects.requireNonNull(identity, "identity");
      if (this.identity != null) {
        throw new IllegalStateException("identity already set: " + this.identity);
      }
      this.identity = identity;
      return this;
    }

    /**
     * Adds a stream muxer; earlier ones are preferred.
     *
     * @param factory the muxer factory
     * @return this builder
     * @throws IllegalStateException if a muxer with the same protocol id was added
     */
    public Builder muxer(StreamMuxerFactory factory) {
      Objects.requireNonNull(factory, "factory");
      if (muxers.containsKey(factory.protocolId())) {
        throw new IllegalStateException("muxer already added: " + factory.protocolId());
      }
      muxers.put(factory.protocolId(), factory);
      return this;
    }

    /**
     * Sets whether the muxer list is offered inside the Noise handshake (default {@code true}).
     *
     * @param enabled whether to offer muxers in the handshake
     * @return this builder
     */
    public Builder earlyMuxerNegotiation(boolean enabled) {
      this.earlyMuxerNegotiation = enabled;
      return this;
    }

    /**
     * Sets the largest number of upgraded connections.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxConnections(int max) {
      this.maxConnections = positive(max, "maxConnections");
      return this;
    }

    /**
     * Sets the largest number of connections in their upgrade at once.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxPendingHandshakes(int max) {
      this.admission = admission.withMaxPending(positive(max, "maxPendingHandshakes"));
      return this;
    }

    /**
     * Sets the limits on pending handshakes (default {@link AdmissionLimits#defaults()}).
     *
     * @param limits global, per-address, per-prefix and reserved limits and the shortest deadline
     * @return this builder
     */
    public Builder admission(AdmissionLimits limits) {
      this.admission = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Sets the resource manager (default: one with {@link ResourceLimits#defaults()} and this
     * builder's ticker). A manager serves one host.
     *
     * @param manager the manager
     * @return this builder
     */
    public Builder resources(ResourceManager manager) {
      this.resources = Objects.requireNonNull(manager, "manager");
      return this;
    }

    /**
     * Sets which remote IP addresses are known peers' (default: none), whose inbound connections
     * may use the reserved handshake slots once the global limit is reached.
     *
     * @param known fast and non-blocking: it is called with the admission lock held
     * @return this builder
     */
    public Builder knownAddresses(Predicate<InetAddress> known) {
      this.knownAddress = Objects.requireNonNull(known, "known");
      return this;
    }

    /**
     * Sets how long an upgrade may take.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = positive(timeout, "handshakeTimeout");
      return this;
    }

    /**
     * Sets how long a connection without streams stays open.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * Sets the TCP connect timeout.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how many protocol proposals a responder answers per negotiation.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxNegotiationAttempts(int max) {
      this.maxNegotiationAttempts = positive(max, "maxNegotiationAttempts");
      return this;
    }

    /**
     * Sets the number of event loop threads.
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder threads(int n) {
      this.threads = positive(n, "threads");
      return this;
    }

    /**
     * Sets the randomness source of Noise keys (default: a new {@link SecureRandom}).
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Creates the host; it starts its event loop threads at once.
     *
     * @return the host
     * @throws IllegalStateException if the identity or every muxer is missing
     */
    public Host build() {
      if (identity == null) {
        throw new IllegalStateException("identity not set");
      }
      if (muxers.isEmpty()) {
        throw new IllegalStateException("no stream muxer added");
      }
      Builder copy = new Builder();
      copy.identity = identity;
      copy.muxers.putAll(muxers);
      copy.earlyMuxerNegotiation = earlyMuxerNegotiation;
      copy.maxConnections = maxConnections;
      copy.admission = admission;
      copy.knownAddress = knownAddress;
      copy.handshakeTimeout = handshakeTimeout;
      copy.idleTimeout = idleTimeout;
      copy.connectTimeout = connectTimeout;
      copy.maxNegotiationAttempts = maxNegotiationAttempts;
      copy.threads = threads;
      copy.random = random != null ? random : new SecureRandom();
      copy.nanoTicker = nanoTicker;
      copy.resources = resources;
      copy.agentVersion = agentVersion;
      copy.reusePort = reusePort;
      return new Host(copy);
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be positive: " + v);
      }
      return v;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("Host.Builder{");
      if (identity != null) {
        sb.append("identity=").append(identity).append(", ");
      }
      sb.append("muxers=").append(muxers.keySet());
      sb.append(", earlyMuxerNegotiation=").append(earlyMuxerNegotiation);
      return sb.append('}').toString();
    }
  }
}
