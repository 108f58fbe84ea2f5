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
 * <p>Keys: every node has epoch mix keys (X25519) that rotate every {@link
 * MixConfig#keyRotation()} (default 1 hour); the previous key stays accepted for {@link
 * MixConfig#keyGrace()} (default 5 minutes) so packets under way still arrive, and each key's
 * replay tags go with it. Each key is published as a {@link MixKeyRecord} signed by the node's
 * identity key; senders fetch the records of members and mixes ahead of time ({@link MixKeys}),
 * check signature and validity, and build Sphinx headers only for keys that are valid until the
 * packet has crossed the mixnet.
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
  private final Map<PeerId, Boolean> found = new ConcurrentHashMap<>();
  private final MixKeyRing epochKeys;
  private final MixKeys keys;
  private final io.spacepanda.spi.TransportIdentity identity;
  private final java.time.Clock clock;
  private volatile MixKeyRecord ownRecord;
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
    this.identity = context.identity();
    this.clock = clock;
    long lifetime = settings.config().ackTimeout().toMillis() * 2;
    this.reassembler = new Fragments.Reassembler(clock::millis, lifetime);
    TransportListener wrapped = new TransportListener() {
      @Override
      public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
        if (envelope.length == Sphinx.PACKET_LENGTH
            && (mix.receive(connectionPeer.bytes(), envelope)
                || keys.receive(connectionPeer, envelope))) {
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
    this.epochKeys = new MixKeyRing(random, settings.config().tagsPerKey());
    this.keys = new MixKeys(self, sk, settings.config(), scheduler, random, clock,
        this::emitNow, () -> ownRecord);
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
        }, epochKeys);
    mix.allowShortPaths(1);
    keys.paths(new MixKeys.Paths() {
      @Override
      public List<Sphinx.Hop> mixes(byte[] avoid) {
        return mix.someMixes(avoid);
      }

      @Override
      public int[] delays(int n) {
        return mix.delays(n);
      }
    });
  }

  /**
   * The mixes this node knows with a verified, still valid key: members of its spaces, mixes
   * named in the builder and mixes found in the DHT. Publishing signs this node's new key.
   */
  private final class Directory implements MixDirectory {
    @Override
    public List<MixInfo> mixes() {
      List<MixInfo> out = new ArrayList<>();
      for (PeerId p : candidates()) {
        MixInfo m = infoOf(p);
        if (m != null) {
          out.add(m);
        }
      }
      return out;
    }

    @Override
    public void publish(MixInfo info) {
      long now = clock.millis();
      MixConfig c = settings.config();
      ownRecord = MixKeyRecord.sign(self, epochKeys.keyId(), now,
          now + c.keyRotation().toMillis() + c.keyGrace().toMillis(), info.publicKey(),
          identity::sign);
    }
  }

  /** Every peer this node may route through, itself left out: found, configured, members. */
  private java.util.Set<PeerId> candidates() {
    java.util.Set<PeerId> all = new java.util.LinkedHashSet<>(found.keySet());
    all.addAll(settings.configured());
    all.addAll(members.get());
    all.remove(self);
    return all;
  }

  /** The peers asked for their keys directly: mixes named or found that are not members. */
  private java.util.Set<PeerId> dedicated() {
    java.util.Set<PeerId> d = new java.util.HashSet<>(found.keySet());
    d.addAll(settings.configured());
    d.removeAll(members.get());
    return d;
  }

  /** The directory entry of a peer: its address and its verified epoch key, or null. */
  private MixDirectory.MixInfo infoOf(PeerId peer) {
    if (peer.bytes().length > Sphinx.MAX_ADDRESS) {
      return null;
    }
    MixKeyRecord r = keys.usable(peer);
    return r == null ? null : new MixDirectory.MixInfo(peer.bytes(), r.key());
  }

  /** Fetches the keys that are missing or due, on the refresh timer. */
  private void scheduleKeyRefresh() {
    if (closed) {
      return;
    }
    scheduler.schedule(MixKeys.refreshInterval(settings.config()), () -> {
      if (closed) {
        return;
      }
      refreshKeys();
      scheduleKeyRefresh();
    });
  }

  /**
   * Fetches the missing or due keys: dedicated mixes first (directly), then members, whose
   * requests go through those mixes.
   */
  private CompletableFuture<Void> refreshKeys() {
    java.util.Set<PeerId> d = dedicated();
    java.util.Set<PeerId> rest = candidates();
    rest.removeAll(d);
    return keys.refresh(d, d).thenCompose(v -> keys.refresh(rest, d));
  }

  /**
   * Sends a key-exchange packet to its first hop now, outside the cover stream: the refresh
   * timer, not a send, decides when, and a low-power cover stream (one packet in 16 s) would
   * hold a round of fetches past the keys' validity. The bytes of a cover budget include them.
   */
  private void emitNow(byte[] firstHop, byte[] packet) {
    mix.emit(firstHop, packet);
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
      refreshKeys();
      scheduleKeyRefresh();
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
        if (p.id().ed25519PublicKey().isEmpty() || p.id().bytes().length > Sphinx.MAX_ADDRESS) {
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
          found.put(p.id(), Boolean.TRUE);
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
    if (anyMixBut(recipient)) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      long now = System.nanoTime();
      if (eager != null && now - eagerAt < EAGER_DISCOVERY_MILLIS * 1_000_000L) {
        return eager;
      }
      eagerAt = now;
      eager = discover().thenCompose(v -> refreshKeys());
      return eager;
    }
  }

  /** Whether a mix other than {@code recipient} with a valid key is known. */
  private boolean anyMixBut(PeerId recipient) {
    for (MixDirectory.MixInfo m : mix.directory().mixes()) {
      if (!java.util.Arrays.equals(m.address(), recipient.bytes())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fetches the recipient's key if no valid one is known (a peer that is no member yet, or one
   * whose key expired); completes with the reason it failed, or null, and never fails.
   */
  private CompletableFuture<Throwable> recipientKey(PeerId recipient) {
    if (infoOf(recipient) != null) {
      return CompletableFuture.completedFuture(null);
    }
    return keys.fetch(recipient, dedicated().contains(recipient)).handle((v, e) -> {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return c;
    });
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
    if (recipient.ed25519PublicKey().isEmpty() || recipient.bytes().length > Sphinx.MAX_ADDRESS) {
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
      if (!anyMixBut(recipient)) {
        // fail at once: the outbox sends again later, when mixes and their keys are known
        throw new CompletionException(new TransportException("no mix with a valid key known "
            + "besides " + recipient + "; nothing is sent directly"));
      }
      return recipientKey(recipient);
    }).thenCompose(k -> {
      MixDirectory.MixInfo to = infoOf(recipient);
      if (to == null) {
        throw new CompletionException(new TransportException("no valid signed mix key of "
            + recipient, k));
      }
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
      if (c instanceof TransportException t) {
        throw new CompletionException(t);
      }
      if (c instanceof TimeoutException) {
        // a mix or the recipient may have restarted with a new key: fetch all keys again
        keys.recheckAll();
      }
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

  /** @return this node's signed key record now, or null before the start (for tests) */
  public MixKeyRecord keyRecord() {
    return ownRecord;
  }

  /** @return the key book of other nodes' records (for tests) */
  MixKeys keys() {
    return keys;
  }

  @Override
  public void close() {
    closed = true;
    keys.close();
    mix.close();
    inner.close();
  }
}
