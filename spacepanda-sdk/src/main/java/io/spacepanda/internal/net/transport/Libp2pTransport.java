package io.spacepanda.internal.net.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.InvalidPeerIdException;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.ProtocolHandler;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libp2p {@link Transport}: envelopes travel over {@code /spacepanda/envelope/1.0.0} streams
 * of a libp2p {@link Host} (TCP, Noise, Yamux), one stream per envelope.
 *
 * <p>Wire protocol ({@link EnvelopeCodec}): the sender opens a stream, writes one length-prefixed
 * {@code Envelope { bytes payload = 1; }}, and waits for one length-prefixed {@code Ack { uint32
 * status = 1; }}, which the receiver writes only once its {@link TransportListener#onEnvelope}
 * future completed (status 0) or failed (status 1); both then half-close. A malformed, oversized,
 * truncated or too slow inbound envelope gets its stream reset and is counted in {@link
 * #rejectedStreams()}; the connection and its other streams go on.
 *
 * <p>Bounds: inbound envelopes of at most {@code maxEnvelopeBytes}, at most {@code
 * maxInboundStreamsPerConnection} of them open per connection, and at most {@code
 * maxInboundBufferedBytes} announced by all open inbound envelopes together (each stream's length
 * prefix counts until the stream ends; when it is exhausted the connection holding most gives way,
 * see {@link InboundBudget}, so streams that announce much and stall never lock out other peers;
 * handshakes are admitted under the config's {@code admission} limits, with the address book's
 * IP addresses allowed into the reserved slots); a sender keeps at most as many envelope streams open to
 * one peer as its own per-connection limit and queues the rest.
 *
 * <p>Addresses: the context's listen multiaddrs ({@value EnvelopeProtocolConstants#DEFAULT_LISTEN_ADDRESS}
 * when it names none), bootstrap multiaddrs ending in {@code /p2p/<peer id>} (dialed at {@link
 * #start()}), and whatever {@link #addPeerAddress} records in a bounded address book. {@link
 * #send} uses the open connection to the peer or dials its known addresses, newest first.
 *
 * <p>Timeouts: a dial takes at most the config's dial plus handshake timeouts (the host enforces
 * both); from the stream's opening to the acknowledgement at most {@code sendTimeout}; an inbound
 * stream has {@code receiveTimeout} to deliver its envelope. The factory does no I/O: the host and
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
  private final List<Multiaddr> listenOn;
  private final List<Multiaddr> bootstrap = new ArrayList<>();
  private final AddressBook addressBook;
  private final int maxMessageBytes;
  private final Set<CompletableFuture<Void>> pendingSends = ConcurrentHashMap.newKeySet();
  private final Map<Connection, AtomicInteger> inboundStreams = new ConcurrentHashMap<>();
  private final AtomicLong rejected = new AtomicLong();
  private final InboundBudget<Connection> inboundBudget;
  private final AtomicLong announcedEnvelopes = new AtomicLong();
  private final Map<PeerId, SendQueue> sendQueues = new ConcurrentHashMap<>();
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
    this.kadConfig = kad;
    this.context = Objects.requireNonNull(context, "context");
    this.config = Objects.requireNonNull(config, "config");
    PeerId keyPeer = PeerId.fromPublicKey(context.identity().publicKey());
    if (!keyPeer.equals(context.localPeer())) {
      throw new IllegalArgumentException(
          "identity key belongs to " + keyPeer + ", not to " + context.localPeer());
    }
    this.addressBook = new AddressBook(config.maxKnownPeers(), config.maxAddressesPerPeer());
    this.inboundBudget = new InboundBudget<>(config.maxInboundBufferedBytes());
    this.maxMessageBytes = EnvelopeCodec.maxEnvelopeMessageBytes(config.maxEnvelopeBytes());
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
      h = Host.builder()
          .identity(new TransportIdentitySigner(context.identity()))
          .muxer(new YamuxMuxerFactory())
          .maxConnections(config.maxConnections())
          .handshakeTimeout(config.handshakeTimeout())
          .idleTimeout(config.idleTimeout())
          .connectTimeout(config.dialTimeout())
          .admission(config.admission())
          .knownAddresses(addressBook::knowsAddress)
          .threads(config.threads())
          .build();
      h.setProtocolHandler(EnvelopeProtocolConstants.PROTOCOL_ID, this::onInboundStream);
      h.addConnectionListener(new Events());
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
        // Bootstrap: look up our own id (filling the buckets near us and telling our neighbours we
        // are here), then every bucket.
        d.refresh().whenComplete((done, failure) -> publishPeerRecord(h, d));
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
  }

  /**
   * Sends one envelope over a new stream and waits for the peer's acknowledgement.
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
    connectionTo(h, recipient).whenComplete((c, err) -> {
      if (err != null) {
        out.fail(err instanceof TransportException t ? t
            : new TransportException("peer unreachable: " + recipient, unwrap(err)));
        return;
      }
      out.startTimer(schedule(() -> out.timeOut(), config.sendTimeout().toMillis()));
      Runnable open = () -> c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), out)
          .whenComplete((s, e) -> {
            if (e != null) {
              out.fail(new TransportException("cannot open an envelope stream to " + recipient, unwrap(e)));
            }
          });
      if (!queueOf(recipient).submit(open, result)) {
        out.fail(new TransportException("too many envelopes waiting for " + recipient));
      }
    });
    return result;
  }

  /** Returns the send queue of a peer; a queue is dropped once idle, so the map stays small. */
  private SendQueue queueOf(PeerId peer) {
    return sendQueues.computeIfAbsent(peer, p -> new SendQueue(
        config.maxInboundStreamsPerConnection(), EnvelopeProtocolConstants.MAX_QUEUED_SENDS_PER_PEER,
        () -> dropIdleQueue(p)));
  }

  /** Returns the number of peers with a send queue (for tests). */
  int sendQueueCount() {
    return sendQueues.size();
  }

  private void dropIdleQueue(PeerId peer) {
    sendQueues.computeIfPresent(peer, (p, q) -> q.isIdle() ? null : q);
  }

  private CompletableFuture<Connection> connectionTo(Host h, PeerId peer) {
    Connection c = h.connectionOrNull(peer);
    if (c != null && c.isOpen()) {
      return CompletableFuture.completedFuture(c);
    }
    List<Multiaddr> addresses = addressBook.addresses(peer);
    CompletableFuture<Connection> known = addresses.isEmpty()
        ? CompletableFuture.failedFuture(new TransportException("no address known for " + peer))
        : dialFirst(h, peer, addresses, 0, null);
    if (dht == null) {
      return known;
    }
    // Peer routing: when every known address fails (or none is known), ask the DHT where the peer
    // is now and dial the addresses it names that were not tried yet.
    return known.handle((conn, e) -> e == null ? CompletableFuture.completedFuture(conn)
            : findPeer(peer).thenCompose(found -> {
              List<Multiaddr> fresh = new ArrayList<>(addressBook.addresses(peer));
              fresh.removeAll(addresses);
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
  private void publishPeerRecord(Host h, KadDht d) {
    List<Multiaddr> addrs = new ArrayList<>();
    for (Multiaddr m : h.listenAddresses()) {
      String host = m.tcpHostOrNull();
      if (host != null && !host.equals("0.0.0.0") && !host.equals("::") && addrs.size() < PeerRecord.MAX_ADDRESSES) {
        addrs.add(m);
      }
    }
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
    return dial.handle((c, e) -> e == null
            ? CompletableFuture.completedFuture(c)
            : dialFirst(h, peer, addresses, index + 1, unwrap(e)))
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
    return rejected.get();
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
    return inboundBudget.total();
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
    AtomicInteger open = inboundStreams.computeIfAbsent(connection, c -> {
      c.closeFuture().whenComplete((v, e) -> inboundStreams.remove(c));
      return new AtomicInteger();
    });
    if (open.incrementAndGet() > config.maxInboundStreamsPerConnection()) {
      open.decrementAndGet();
      reject(stream, "too many inbound envelope streams on one connection", null);
      return Discard.INSTANCE;
    }
    InboundEnvelope in = new InboundEnvelope(connection);
    in.timeout = stream.executor().schedule(() -> {
      if (!in.reader.isComplete()) {
        reject(stream, "envelope not received in time", null);
      }
    }, config.receiveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    stream.closeFuture().whenComplete((v, e) -> {
      open.decrementAndGet();
      in.timeout.cancel(false);
      InboundBudget.Reservation r = in.reservation;
      if (r != null) {
        inboundBudget.release(r);
      }
    });
    return in;
  }

  /** Receives one envelope on one inbound stream; confined to the stream's event loop. */
  private final class InboundEnvelope implements StreamHandler {
    final Connection connection;
    final PeerId from;
    final FrameReader reader = new FrameReader(maxMessageBytes);
    io.netty.util.concurrent.ScheduledFuture<?> timeout;
    boolean failed;
    volatile InboundBudget.Reservation reservation;

    InboundEnvelope(Connection connection) {
      this.connection = connection;
      this.from = connection.remotePeerId();
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      byte[] message;
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
      if (reservation == null && reader.announcedLength() > 0 && !reserve(stream, reader.announcedLength())) {
        failed = true;
        reject(stream, "inbound envelope budget exhausted", null);
        return;
      }
      if (message == null) {
        return;
      }
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

    /**
     * Counts {@code bytes} against the transport-wide budget until the stream ends; a connection
     * holding more gives way (see {@link InboundBudget}), and when this one is evicted in turn its
     * stream is reset.
     */
    private boolean reserve(MuxedStream stream, long bytes) {
      announcedEnvelopes.incrementAndGet();
      InboundBudget.Reservation r = inboundBudget.reserve(connection, bytes, () ->
          stream.executor().execute(() -> {
            // a complete envelope is already with the listener: only partial ones are dropped
            if (!failed && !reader.isComplete()) {
              failed = true;
              timeout.cancel(false);
              reject(stream, "inbound envelope evicted for a peer holding less of the budget", null);
            }
          }));
      reservation = r;
      return r != null;
    }

    private void deliver(MuxedStream stream, byte[] payload) {
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
      stored.whenComplete((v, e) -> {
        int status = e == null ? EnvelopeProtocolConstants.STATUS_OK : EnvelopeProtocolConstants.STATUS_REFUSED;
        if (e != null) {
          LOG.debug("envelope from {} refused by the listener", from, e);
        }
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

  /** Sends one envelope on one outbound stream and reads the acknowledgement. */
  private final class OutboundEnvelope implements ProtocolHandler, StreamHandler {
    final byte[] frame;
    final CompletableFuture<Void> result = new CompletableFuture<>();
    final FrameReader ackReader = new FrameReader(EnvelopeProtocolConstants.MAX_ACK_MESSAGE_BYTES);
    volatile MuxedStream stream;
    volatile ScheduledFuture<?> timer;

    OutboundEnvelope(byte[] frame) {
      this.frame = frame;
      result.whenComplete((v, e) -> {
        ScheduledFuture<?> t = timer;
        if (t != null) {
          t.cancel(false);
        }
      });
    }

    void startTimer(ScheduledFuture<?> t) {
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
