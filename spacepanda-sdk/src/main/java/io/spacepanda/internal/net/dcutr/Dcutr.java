package io.spacepanda.internal.net.dcutr;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.relay.FramedStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCUtR on a {@link Host} (libp2p/specs relay/DCUtR.md): serves {@value HolePunchMessage#PROTOCOL_ID}
 * and, when {@code automatic}, starts the upgrade of every inbound relayed connection.
 *
 * <p>The peer that received the relayed connection (B) opens the stream, sends CONNECT with its
 * observed addresses, measures the round trip until the other's CONNECT, sends SYNC and dials after
 * half the round trip; the other peer (A) dials as soon as SYNC arrives. Both dial from their listen
 * port ({@link Host#dialFromListenPort}), so through endpoint-independent NATs the two SYNs meet in a
 * TCP simultaneous open. Roles in Noise and Yamux: A, which dials first, is the initiator, B the
 * responder (as rust-libp2p; when B has no NAT, A's SYN reaches B's listener, which answers as a
 * responder too; when A has none, B's SYN may reach A's listener first, and A, which announced the
 * punch to its host before answering CONNECT ({@link Host#expectSimultaneousOpen}), takes the
 * initiator's role on that inbound connection). Up to {@link #MAX_ATTEMPTS} rounds, each on a new stream (as go and js); a direct connection then
 * replaces the relayed one in the host, which closes the relayed one after a grace period, and when
 * every round fails the relayed connection simply stays. Thread-safe.
 */
public final class Dcutr implements AutoCloseable {

  /** Rounds per upgrade, the first included (the spec: retry twice). */
  public static final int MAX_ATTEMPTS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Dcutr.class);

  /** The outcome of one upgrade. */
  public record Result(boolean direct, int attempts) {}

  private final Host host;
  private final Supplier<List<Multiaddr>> observedAddrs;
  private final Duration punchTimeout;
  private final AtomicLong upgrades = new AtomicLong();
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  private final AtomicLong firstAttemptSuccesses = new AtomicLong();
  private final AtomicLong connectsAnswered = new AtomicLong();
  private final AtomicLong syncsReceived = new AtomicLong();
  private volatile boolean closed;

  /**
   * Creates the service and registers the protocol.
   *
   * @param host the host; it must share its listen port ({@link Host.Builder#reusePort})
   * @param observedAddrs this host's addresses as others see them (identify's observed addresses)
   *     and its listen addresses
   * @param punchTimeout how long one round's dials may take
   * @param automatic whether to upgrade every inbound relayed connection by itself
   */
  public Dcutr(Host host, Supplier<List<Multiaddr>> observedAddrs, Duration punchTimeout, boolean automatic) {
    this.host = Objects.requireNonNull(host, "host");
    this.observedAddrs = Objects.requireNonNull(observedAddrs, "observedAddrs");
    this.punchTimeout = Objects.requireNonNull(punchTimeout, "punchTimeout");
    host.setProtocolHandler(HolePunchMessage.PROTOCOL_ID, (c, s, p) -> {
      FramedStream fs = new FramedStream(s, HolePunchMessage.MAX_MESSAGE_BYTES);
      respond(c, fs);
      return fs;
    });
    if (automatic) {
      host.addConnectionListener(new ConnectionListener() {
        @Override
        public void onConnected(Connection c) {
          if (c.isRelayed() && !c.isInitiator() && !closed) {
            upgrade(c).whenComplete((r, e) -> LOG.debug("DCUtR with {}: {}", c.remotePeerId(), e == null ? r : e));
          }
        }

        @Override
        public void onDisconnected(Connection c) {}
      });
    }
  }

  /**
   * Returns how many upgrades this host started.
   *
   * @return the count
   */
  public long upgrades() {
    return upgrades.get();
  }

  /**
   * Returns how many upgrades this host started have ended, either way.
   *
   * @return the count
   */
  public long finished() {
    return finished.get();
  }

  /**
   * Returns how many upgrades this host started ended on a direct connection.
   *
   * @return the count
   */
  public long successes() {
    return successes.get();
  }

  /**
   * Returns how many successful upgrades needed only the first round.
   *
   * @return the count
   */
  public long firstAttemptSuccesses() {
    return firstAttemptSuccesses.get();
  }

  /**
   * Returns how many CONNECT messages this host answered as the dialing side (A).
   *
   * @return the count
   */
  public long connectsAnswered() {
    return connectsAnswered.get();
  }

  /**
   * Returns how many SYNC messages this host received as the dialing side (A), each followed by a punch.
   *
   * @return the count
   */
  public long syncsReceived() {
    return syncsReceived.get();
  }

  private List<byte[]> ownAddrs() {
    List<byte[]> out = new ArrayList<>();
    for (Multiaddr m : observedAddrs.get()) {
      if (!m.isCircuit() && m.tcpHostOrNull() != null && out.size() < HolePunchMessage.MAX_ADDRS) {
        byte[] b = m.withoutPeerId().toBytes();
        if (out.stream().noneMatch(x -> java.util.Arrays.equals(x, b))) {
          out.add(b);
        }
      }
    }
    return out;
  }

  private static List<Multiaddr> dialable(HolePunchMessage m) {
    List<Multiaddr> out = new ArrayList<>();
    for (byte[] b : m.obsAddrs()) {
      try {
        Multiaddr a = Multiaddr.fromBytes(b);
        if (!a.isCircuit() && a.tcpHostOrNull() != null) {
          out.add(a);
        }
      } catch (MultiaddrException e) {
        // skip
      }
    }
    return out;
  }

  /**
   * Runs the upgrade from the side that received the relayed connection (B).
   *
   * <p>Each round runs on a new stream, as go-libp2p and js-libp2p do (their A side answers one
   * CONNECT/SYNC exchange per stream and then closes or resets it).
   *
   * @param relayed an inbound relayed connection
   * @return completes with the outcome; fails only when the peer does not speak DCUtR or the first
   *     round's stream breaks (a later round's failure ends the upgrade with the relayed connection)
   */
  public CompletableFuture<Result> upgrade(Connection relayed) {
    upgrades.incrementAndGet();
    return attempt(relayed, 1).whenComplete((r, e) -> {
      if (r != null && r.direct) {
        successes.incrementAndGet();
        if (r.attempts == 1) {
          firstAttemptSuccesses.incrementAndGet();
        }
      }
      finished.incrementAndGet();
    });
  }

  private CompletableFuture<Result> attempt(Connection relayed, int attempt) {
    PeerId peer = relayed.remotePeerId();
    FramedStream[] fs = new FramedStream[1];
    CompletableFuture<Boolean> round = relayed.openStream(List.of(HolePunchMessage.PROTOCOL_ID),
            (c, s, p) -> fs[0] = new FramedStream(s, HolePunchMessage.MAX_MESSAGE_BYTES))
        .thenCompose(s -> round(fs[0], peer));
    return round.handle((direct, e) -> {
      if (e != null && attempt == 1) {
        if (fs[0] != null) {
          fs[0].stream().reset();
        }
        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
      }
      if (e != null) {
        LOG.debug("DCUtR round {} with {} failed", attempt, peer, e);
      }
      return e == null && direct;
    }).thenCompose(direct -> {
      if (direct || attempt >= MAX_ATTEMPTS || closed || !relayed.isOpen()) {
        if (fs[0] != null) {
          fs[0].stream().closeWrite();
        }
        return CompletableFuture.completedFuture(new Result(direct, attempt));
      }
      // Close this round's stream and wait until the peer closed or reset it too: js serves one
      // DCUtR stream at a time per connection and refuses a new one while its dial still runs.
      return finish(fs[0]).thenCompose(v -> attempt(relayed, attempt + 1));
    });
  }

  /** Half-closes {@code fs}; completes when the peer ended its side too, or after the punch timeout. */
  private CompletableFuture<Void> finish(FramedStream fs) {
    if (fs == null) {
      return CompletableFuture.completedFuture(null);
    }
    return onLoop(fs, () -> {
      fs.stream().closeWrite();
      return fs.read();
    }).orTimeout(punchTimeout.toMillis(), TimeUnit.MILLISECONDS).handle((b, e) -> null);
  }

  /** One CONNECT, CONNECT, SYNC exchange and the punch after half the round trip. */
  private CompletableFuture<Boolean> round(FramedStream fs, PeerId peer) {
    long[] t0 = new long[1];
    return onLoop(fs, () -> {
      t0[0] = System.nanoTime();
      fs.write(new HolePunchMessage(HolePunchMessage.CONNECT, ownAddrs()).encode());
      return fs.read();
    }).thenCompose(body -> {
      HolePunchMessage answer = decode(body);
      if (answer.type() != HolePunchMessage.CONNECT) {
        throw new CompletionException(new DcutrException("expected CONNECT"));
      }
      long rtt = System.nanoTime() - t0[0];
      fs.write(new HolePunchMessage(HolePunchMessage.SYNC, List.of()).encode());
      CompletableFuture<Void> wait = new CompletableFuture<>();
      fs.stream().executor().schedule(() -> wait.complete(null), Math.max(0, rtt / 2), TimeUnit.NANOSECONDS);
      return wait.thenCompose(v -> punch(peer, dialable(answer), false));
    });
  }

  private static <T> CompletableFuture<T> onLoop(FramedStream fs, Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> out = new CompletableFuture<>();
    fs.stream().executor().execute(() -> task.get().whenComplete((v, e) -> {
      if (e != null) {
        out.completeExceptionally(e);
      } else {
        out.complete(v);
      }
    }));
    return out;
  }

  private static HolePunchMessage decode(byte[] body) {
    try {
      return HolePunchMessage.decode(body);
    } catch (DcutrException e) {
      throw new CompletionException(e);
    }
  }

  /** Dials every address at once from the listen port; true when a direct connection results. */
  private CompletableFuture<Boolean> punch(PeerId peer, List<Multiaddr> addrs, boolean initiator) {
    if (addrs.isEmpty() || closed) {
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> any = new CompletableFuture<>();
    int[] left = {addrs.size()};
    for (Multiaddr a : addrs) {
      CompletableFuture<Connection> dial;
      try {
        dial = host.dialFromListenPort(a, initiator, peer);
      } catch (IllegalStateException e) {
        dial = CompletableFuture.failedFuture(e);
      }
      dial.orTimeout(punchTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((c, e) -> {
        boolean ok = e == null && c != null && !c.isRelayed();
        synchronized (left) {
          left[0]--;
          if (ok) {
            any.complete(true);
          } else if (left[0] == 0) {
            // the peer's dial may have won on our listener instead (no NAT in between: then our
            // own dial finds the 4-tuple taken), and its handshake may still be running
            awaitDirect(peer, System.nanoTime() + punchTimeout.toNanos()).thenAccept(any::complete);
          }
        }
      });
    }
    return any;
  }

  /** Completes true as soon as the host's connection to {@code peer} is direct, false at the deadline. */
  private CompletableFuture<Boolean> awaitDirect(PeerId peer, long deadline) {
    Connection now = host.connectionOrNull(peer);
    if (now != null && !now.isRelayed() && now.isOpen()) {
      return CompletableFuture.completedFuture(true);
    }
    if (closed || deadline - System.nanoTime() <= 0) {
      return CompletableFuture.completedFuture(false);
    }
    return CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(DIRECT_POLL_MILLIS, TimeUnit.MILLISECONDS))
        .thenCompose(v -> awaitDirect(peer, deadline));
  }

  /** How often {@link #awaitDirect} looks again. */
  private static final long DIRECT_POLL_MILLIS = 20;

  /**
   * The side that dialed through the relay (A): answers CONNECT and dials on SYNC; a further round
   * on the same stream is served too (an older version of this class sent every round on one).
   */
  private void respond(Connection c, FramedStream fs) {
    PeerId peer = c.remotePeerId();
    fs.read().thenAccept(body -> {
      HolePunchMessage connect = decode(body);
      if (connect.type() != HolePunchMessage.CONNECT) {
        throw new CompletionException(new DcutrException("expected CONNECT"));
      }
      // B dials once our CONNECT and its SYNC crossed: from now on a connection from B's addresses
      // is this punch, and A is its client even if B's SYN reaches our listener first
      host.expectSimultaneousOpen(dialable(connect), peer, punchTimeout.multipliedBy(2));
      fs.write(new HolePunchMessage(HolePunchMessage.CONNECT, ownAddrs()).encode());
      connectsAnswered.incrementAndGet();
      fs.read().thenAccept(sync -> {
        if (decode(sync).type() != HolePunchMessage.SYNC) {
          throw new CompletionException(new DcutrException("expected SYNC"));
        }
        syncsReceived.incrementAndGet();
        punch(peer, dialable(connect), true);
        respond(c, fs); // the next round, if B retries, on the same stream
      }).exceptionally(e -> end(fs, e));
    }).exceptionally(e -> end(fs, e));
  }

  private static Void end(FramedStream fs, Throwable e) {
    if (fs.remoteClosed()) {
      fs.stream().closeWrite();
    } else {
      LOG.debug("DCUtR stream failed", e);
      fs.stream().reset();
    }
    return null;
  }

  /** Stops serving the protocol and starting upgrades. */
  @Override
  public void close() {
    closed = true;
    host.removeProtocolHandler(HolePunchMessage.PROTOCOL_ID);
  }
}
