package io.spacepanda.internal.net.mix;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.kad.KadDht;
import io.spacepanda.internal.net.kad.KadPeer;
import io.spacepanda.internal.net.kad.Validators;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportException;
import io.spacepanda.spi.TransportListener;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport that sends the node's envelopes through the mixnet (issue 16, {@code
 * PrivacyLevel.MIXED}): it wraps the node's transport, which then carries only Sphinx packets of
 * {@value Sphinx#PACKET_LENGTH} bytes between neighbouring hops.
 *
 * <p>{@link #send} cuts the envelope into {@link Fragments pieces}, sends each over its own path of
 * {@link MixConfig#hops()} mixes chosen at random to the recipient's node (the last hop) with a
 * single-use reply block, and completes when every piece was acknowledged through the mixnet;
 * the last piece's acknowledgement leaves only once the recipient's node stored the envelope, so
 * "delivered" still means stored. A missing acknowledgement fails the send with a {@link
 * TransportException} after {@link MixConfig#ackTimeout()}, and the outbox sends again later.
 *
 * <p>Keys: every node's mix key is the X25519 form of its Ed25519 identity ({@link
 * MixKeyRing#publicKeyFromEd25519}), so a peer id alone gives the key of a recipient or a mix and
 * nothing has to be published or trusted; the key does not rotate (its replay tags roll over).
 *
 * <p>Mixes: the members of this node's spaces (they mix for each other), plus nodes that opted in
 * as mixes and announced it in the DHT as providers of {@code Validators.serviceKey("mix/1")},
 * when the wrapped transport has a DHT. Every node with this transport forwards packets for
 * others; one that opted in also announces itself.
 *
 * <p>Inbound: an envelope of exactly {@value Sphinx#PACKET_LENGTH} bytes whose header MAC holds
 * under this node's key is a mix packet, acknowledged to the previous hop at once; everything
 * else (also bytes of that size that are no packet for this node) goes to the node as before, so
 * peers that send directly still reach it, and junk is charged to its sender as wasted work.
 */
public final class MixTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(MixTransport.class);

  /** The DHT provider key mixes announce themselves under. */
  public static final byte[] SERVICE_KEY = Validators.serviceKey("mix/1");

  /**
   * How the node uses the mixnet.
   *
   * @param mixedSends whether the node's own envelopes go through the mixnet (else directly)
   * @param announce whether the node announces itself as a mix in the DHT
   * @param config path length, delays, acknowledgement timeout and cover traffic
   * @param discovery when to look for mixes in the DHT after start, then every last interval
   * @param configured mixes named by the user
   */
  public record Settings(boolean mixedSends, boolean announce, MixConfig config,
      List<Duration> discovery, List<PeerId> configured) {
    /** Copies the lists. */
    public Settings {
      java.util.Objects.requireNonNull(config, "config");
      discovery = List.copyOf(discovery);
      configured = List.copyOf(configured);
      if (discovery.isEmpty()) {
        throw new IllegalArgumentException("discovery needs at least one interval");
      }
    }

    /** Default discovery: 2 s, 10 s and 30 s after start, then every 10 minutes. */
    public static final List<Duration> DEFAULT_DISCOVERY = List.of(Duration.ofSeconds(2),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(10));
  }

  /**
   * A transport factory that wraps another one in a mix transport. The node creates the mix
   * transport with {@link #create(TransportContext, byte[], Supplier, Scheduler, SecureRandom,
   * java.time.Clock)},
   * since it needs the node's identity seed; the one-argument form is refused.
   *
   * @param inner the wrapped transport's factory
   * @param settings how the mixnet is used
   */
  public record Factory(Transport.Factory inner, Settings settings) implements Transport.Factory {

    @Override
    public Transport create(TransportContext context) {
      throw new UnsupportedOperationException("a mix transport is created by the node");
    }

    /**
     * Creates the mix transport.
     *
     * @param context the node's transport context
     * @param identitySeed the node's 32-byte Ed25519 seed (not kept: the X25519 key is derived)
     * @param members the peers of this node's spaces, asked at each send
     * @param scheduler runs delays and timers
     * @param random paths, delays and packet keys
     * @param clock the node's clock (partial envelopes expire by it)
     * @return the transport, not started
     */
    public MixTransport create(TransportContext context, byte[] identitySeed,
        Supplier<Set<PeerId>> members, Scheduler scheduler, SecureRandom random,
        java.time.Clock clock) {
      return new MixTransport(context, this, identitySeed, members, scheduler, random, clock);
    }
  }

  private final Transport inner;
  private final Settings settings;
  private final PeerId self;
  private final MixNode mix;
  private final Supplier<Set<PeerId>> members;
  private final Scheduler scheduler;
  private final SecureRandom random;
  private final TransportListener listener;
  private final Fragments.Reassembler reassembler;
  private final Map<PeerId, MixDirectory.MixInfo> found = new ConcurrentHashMap<>();
  private final Map<PeerId, byte[]> keyCache = new ConcurrentHashMap<>();
  private final AtomicLong linkFailures = new AtomicLong();
  private final AtomicLong badPieces = new AtomicLong();
  private volatile boolean closed;
  private CompletableFuture<Void> eager;
  private long eagerAt;

  /** Shortest time between two lookups a send starts because no mix was known. */
  static final long EAGER_DISCOVERY_MILLIS = 2000;

  private MixTransport(TransportContext context, Factory factory, byte[] identitySeed,
      Supplier<Set<PeerId>> members, Scheduler scheduler, SecureRandom random,
      java.time.Clock clock) {
    this.settings = factory.settings();
    this.self = context.localPeer();
    this.members = members;
    this.scheduler = scheduler;
    this.random = random;
    this.listener = context.listener();
    long lifetime = settings.config().ackTimeout().toMillis() * 2;
    this.reassembler = new Fragments.Reassembler(clock::millis, lifetime);
    TransportListener wrapped = new TransportListener() {
      @Override
      public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
        if (envelope.length == Sphinx.PACKET_LENGTH
            && mix.receive(connectionPeer.bytes(), envelope)) {
          return CompletableFuture.completedFuture(null);
        }
        // not a mix packet for this node: an envelope of that size, or junk the node charges
        // to its sender as wasted work
        return listener.onEnvelope(connectionPeer, envelope);
      }

      @Override
      public void onPeerConnected(PeerId peer) {
        listener.onPeerConnected(peer);
      }

      @Override
      public void onPeerLost(PeerId peer) {
        listener.onPeerLost(peer);
      }
    };
    this.inner = factory.inner().create(new TransportContext(context.localPeer(),
        context.identity(), context.listenAddresses(), context.bootstrapPeers(), wrapped));
    byte[] sk = MixKeyRing.privateKeyFromEd25519Seed(identitySeed);
    java.util.Arrays.fill(identitySeed, (byte) 0);
    MixKeyRing keys = new MixKeyRing(sk, settings.config().tagsPerKey());
    java.util.Arrays.fill(sk, (byte) 0);
    this.mix = new MixNode(self.bytes(), settings.config(), new Directory(),
        this::link, scheduler, random, new MixNode.Receiver() {
          @Override
          public CompletableFuture<Void> onMessage(byte[] body) {
            return onMessage(null, body);
          }

          @Override
          public CompletableFuture<Void> onMessage(byte[] lastMix, byte[] body) {
            return onPiece(lastMix, body);
          }
        }, keys);
    mix.allowShortPaths(1);
  }

  /** The mixes this node knows: members of its spaces and mixes found in the DHT. */
  private final class Directory implements MixDirectory {
    @Override
    public List<MixInfo> mixes() {
      Map<PeerId, MixInfo> all = new java.util.LinkedHashMap<>(found);
      for (PeerId p : settings.configured()) {
        MixInfo m = infoOf(p);
        if (m != null) {
          all.put(p, m);
        }
      }
      for (PeerId p : members.get()) {
        if (!all.containsKey(p)) {
          MixInfo m = infoOf(p);
          if (m != null) {
            all.put(p, m);
          }
        }
      }
      all.remove(self);
      return List.copyOf(all.values());
    }
  }

  /** The directory entry of a peer: its address and the X25519 form of its identity, or null. */
  private MixDirectory.MixInfo infoOf(PeerId peer) {
    byte[] key = keyCache.computeIfAbsent(peer, p -> p.ed25519PublicKey()
        .map(MixKeyRing::publicKeyFromEd25519).orElse(null));
    if (key == null || peer.bytes().length > Sphinx.MAX_ADDRESS) {
      return null;
    }
    if (keyCache.size() > 4096) {
      keyCache.clear();
    }
    return new MixDirectory.MixInfo(peer.bytes(), key);
  }

  private void link(byte[] address, byte[] packet) {
    PeerId to;
    try {
      to = PeerId.fromBytes(address);
    } catch (RuntimeException e) {
      linkFailures.incrementAndGet();
      return;
    }
    inner.send(to, packet).whenComplete((v, e) -> {
      if (e != null) {
        linkFailures.incrementAndGet();
        LOG.debug("mix packet to {} not sent: {}", to, e.getMessage());
      }
    });
  }

  private CompletableFuture<Void> onPiece(byte[] lastMix, byte[] piece) {
    byte[] envelope;
    try {
      envelope = reassembler.add(piece);
    } catch (Fragments.BadPiece e) {
      badPieces.incrementAndGet();
      return CompletableFuture.failedFuture(e);
    }
    if (envelope == null) {
      return CompletableFuture.completedFuture(null);
    }
    PeerId from;
    try {
      from = lastMix == null ? self : PeerId.fromBytes(lastMix);
    } catch (RuntimeException e) {
      from = self;
    }
    return listener.onEnvelope(from, envelope);
  }

  @Override
  public CompletableFuture<Void> start() {
    return inner.start().thenRun(() -> {
      mix.start();
      scheduleDiscovery(0);
    });
  }

  private void scheduleDiscovery(int step) {
    if (closed) {
      return;
    }
    List<Duration> d = settings.discovery();
    scheduler.schedule(d.get(Math.min(step, d.size() - 1)), () -> {
      if (closed) {
        return;
      }
      discover();
      scheduleDiscovery(step + 1);
    });
  }

  /**
   * Announces this node as a mix (if it opted in) and looks for mixes in the DHT.
   *
   * @return completes when the lookup is over (at once without a DHT); never fails
   */
  private CompletableFuture<Void> discover() {
    KadDht dht = dht();
    if (dht == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (settings.announce()) {
      dht.provide(SERVICE_KEY).whenComplete((n, e) -> {
        if (e != null) {
          LOG.debug("could not announce this node as a mix: {}", e.getMessage());
        }
      });
    }
    return dht.findProviders(SERVICE_KEY).handle((peers, e) -> {
      if (e != null || peers == null) {
        return null;
      }
      for (KadPeer p : peers) {
        if (p.id().equals(self)) {
          continue;
        }
        MixDirectory.MixInfo m = infoOf(p.id());
        if (m == null) {
          continue;
        }
        for (Multiaddr a : p.addresses()) {
          try {
            inner.addPeerAddress(p.id(), a.toString());
          } catch (IllegalArgumentException ignored) {
            // an address this transport cannot use
          }
        }
        if (found.size() < 1024) {
          found.put(p.id(), m);
        }
      }
      return null;
    });
  }

  /**
   * Looks in the DHT at once when no mix but the recipient is known (a node that just started),
   * at most once every {@value #EAGER_DISCOVERY_MILLIS} ms; else completes at once.
   */
  private CompletableFuture<Void> mixesKnown(PeerId recipient) {
    MixDirectory d = mix.directory();
    for (MixDirectory.MixInfo m : d.mixes()) {
      if (!java.util.Arrays.equals(m.address(), recipient.bytes())) {
        return CompletableFuture.completedFuture(null);
      }
    }
    synchronized (this) {
      long now = System.nanoTime();
      if (eager != null && now - eagerAt < EAGER_DISCOVERY_MILLIS * 1_000_000L) {
        return eager;
      }
      eagerAt = now;
      eager = discover();
      return eager;
    }
  }

  private KadDht dht() {
    return inner instanceof io.spacepanda.internal.net.transport.Libp2pTransport l ? l.dht() : null;
  }

  @Override
  public List<String> listenAddresses() {
    return inner.listenAddresses();
  }

  @Override
  public void addPeerAddress(PeerId peer, String address) {
    inner.addPeerAddress(peer, address);
  }

  @Override
  public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
    if (!settings.mixedSends()) {
      return inner.send(recipient, envelope);
    }
    MixDirectory.MixInfo to = infoOf(recipient);
    if (to == null) {
      return CompletableFuture.failedFuture(new TransportException(
          "the mixnet reaches only peers with Ed25519 identities: " + recipient));
    }
    if (envelope.length > Fragments.MAX_ENVELOPE) {
      return CompletableFuture.failedFuture(new TransportException("envelope of "
          + envelope.length + " bytes is longer than the mixnet carries ("
          + Fragments.MAX_ENVELOPE + ")"));
    }
    byte[] copy = envelope.clone();
    return mixesKnown(recipient).thenCompose(k -> {
      List<byte[]> pieces = Fragments.split(random.nextLong(), copy);
      List<CompletableFuture<Void>> acks = new ArrayList<>(pieces.size());
      for (byte[] p : pieces) {
        acks.add(mix.send(to, p, true));
      }
      return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }).handle((v, e) -> {
      if (e == null) {
        return null;
      }
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      String why = c instanceof TimeoutException ? "no acknowledgement through the mixnet"
          : c.getMessage();
      throw new CompletionException(new TransportException("mixnet send to " + recipient
          + " failed: " + why, c));
    });
  }

  @Override
  public CompletableFuture<List<String>> findPeer(PeerId peer) {
    return inner.findPeer(peer);
  }

  @Override
  public Set<PeerId> connectedPeers() {
    return inner.connectedPeers();
  }

  /** @return the mix node (for tests) */
  public MixNode mixNode() {
    return mix;
  }

  /** @return mix packets the wrapped transport failed to send */
  public long linkFailures() {
    return linkFailures.get();
  }

  /** @return pieces that did not parse or fit */
  public long badPieces() {
    return badPieces.get();
  }

  /** @return mixes found in the DHT */
  public int mixesFound() {
    return found.size();
  }

  /** @return the wrapped transport */
  public Transport inner() {
    return inner;
  }

  @Override
  public void close() {
    closed = true;
    mix.close();
    inner.close();
  }
}
