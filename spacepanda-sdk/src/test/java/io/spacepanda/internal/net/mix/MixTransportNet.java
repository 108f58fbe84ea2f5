package io.spacepanda.internal.net.mix;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportIdentity;
import io.spacepanda.spi.TransportListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Mix transports, as the node wires them, over an in-memory network with virtual time and seeded
 * randomness: links of 1 to 2 ms, every envelope on every link recorded. Single-threaded.
 */
final class MixTransportNet {

  /** One envelope on one link. */
  record Wire(long atMillis, PeerId from, PeerId to, byte[] bytes) {}

  /** One node: its transport, identity and what reached it. */
  static final class Peer {
    final IdentityKey identity;
    final MixTransport transport;
    final List<byte[]> received = new ArrayList<>();
    TransportListener inner;

    Peer(IdentityKey identity, MixTransport transport) {
      this.identity = identity;
      this.transport = transport;
    }

    PeerId id() {
      return identity.peerId();
    }
  }

  private record Event(long at, long seq, Runnable task) {}

  final long seed;
  final Random random;
  final List<Wire> wire = new ArrayList<>();
  final List<Peer> peers = new ArrayList<>();
  private final Map<PeerId, Peer> byId = new HashMap<>();
  private final PriorityQueue<Event> events = new PriorityQueue<>(
      (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  /** Virtual nanoseconds since the start; the clock reads {@link #BASE_MILLIS} then. */
  private long now;
  static final long BASE_MILLIS = 1_800_000_000_000L;
  private long seq;

  final Scheduler scheduler = (delay, task) -> {
    Event e = new Event(now + Math.max(0, delay.toNanos()), seq++, task);
    events.add(e);
    return () -> events.remove(e);
  };

  final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(BASE_MILLIS).plusNanos(now);
    }

    @Override
    public long millis() {
      return BASE_MILLIS + now / 1_000_000L;
    }
  };

  MixTransportNet(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** @return virtual milliseconds since the start */
  long nowMillis() {
    return now / 1_000_000L;
  }

  /**
   * Adds and starts a node.
   *
   * @param settings its mix settings
   * @param members the peers it treats as members of its spaces
   * @param sign what signs its key records (the identity's own signing unless a test forges)
   * @return the node
   */
  Peer add(MixTransport.Settings settings, java.util.function.Supplier<Set<PeerId>> members,
      UnaryOperator<java.util.function.Function<byte[], byte[]>> sign) {
    IdentityKey id = IdentityKey.generate(MixnetSim.seeded(seed * 7919 + peers.size()));
    java.util.function.Function<byte[], byte[]> signer = sign.apply(id::sign);
    TransportIdentity ti = new TransportIdentity() {
      @Override
      public byte[] publicKey() {
        return id.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return signer.apply(data);
      }
    };
    Peer[] holder = new Peer[1];
    Transport.Factory inner = ctx -> {
      PeerId self = ctx.localPeer();
      return new Transport() {
        @Override
        public CompletableFuture<Void> start() {
          holder[0].inner = ctx.listener();
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public List<String> listenAddresses() {
          return List.of();
        }

        @Override
        public void addPeerAddress(PeerId peer, String address) {}

        @Override
        public CompletableFuture<Void> send(PeerId to, byte[] envelope) {
          Peer target = byId.get(to);
          if (target == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no such peer"));
          }
          byte[] copy = envelope.clone();
          wire.add(new Wire(nowMillis(), self, to, copy));
          long latency = 1_000_000 + (long) (random.nextDouble() * 1_000_000);
          scheduler.schedule(Duration.ofNanos(latency), () -> {
            if (target.inner != null) {
              target.inner.onEnvelope(self, copy);
            }
          });
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public Set<PeerId> connectedPeers() {
          return Set.of();
        }

        @Override
        public void close() {}
      };
    };
    TransportListener node = (from, envelope) -> {
      holder[0].received.add(envelope);
      return CompletableFuture.completedFuture(null);
    };
    MixTransport t = new MixTransport.Factory(inner, settings).create(
        new TransportContext(id.peerId(), ti, List.of(), List.of(), node),
        id.exportSeed().exportSecret(), members, scheduler,
        MixnetSim.seeded(seed * 31 + peers.size()), clock);
    Peer p = new Peer(id, t);
    holder[0] = p;
    peers.add(p);
    byId.put(id.peerId(), p);
    t.start();
    return p;
  }

  /** Hands bytes to a node as if a peer had sent them. */
  void inject(PeerId from, Peer to, byte[] bytes) {
    to.inner.onEnvelope(from, bytes.clone());
  }

  void runFor(Duration d) {
    long end = now + d.toNanos();
    while (!events.isEmpty() && events.peek().at <= end) {
      Event e = events.poll();
      now = e.at;
      e.task.run();
    }
    now = end;
  }

  void close() {
    for (Peer p : peers) {
      p.transport.close();
    }
  }
}
