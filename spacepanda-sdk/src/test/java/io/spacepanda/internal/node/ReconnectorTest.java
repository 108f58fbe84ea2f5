package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Reconnection to space members with backoff, on virtual time: the waits between attempts to an
 * unreachable member grow exponentially with jitter up to the cap, a member that answers again is
 * connected and its backoff resets, and a member connected by itself is not dialed.
 */
class ReconnectorTest {

  /** A virtual-time scheduler: tasks run in time order when the test advances. */
  private static final class Clock implements Scheduler {
    long now;
    long seq;
    final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) ->
        a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    final java.util.Map<Long, Runnable> tasks = new java.util.HashMap<>();

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      long id = seq++;
      queue.add(new long[] {now + delay.toMillis(), id});
      tasks.put(id, task);
      return () -> tasks.remove(id) != null;
    }

    void advance(Duration d) {
      long until = now + d.toMillis();
      while (!queue.isEmpty() && queue.peek()[0] <= until) {
        long[] e = queue.poll();
        now = e[0];
        Runnable r = tasks.remove(e[1]);
        if (r != null) {
          r.run();
        }
      }
      now = until;
    }
  }

  /** A transport whose dials to one peer fail while {@code reachable} is false. */
  private static class FakeTransport implements Transport {
    final Clock clock;
    final List<Long> dialTimes = new ArrayList<>();
    final Set<PeerId> connected = new HashSet<>();
    boolean reachable;

    FakeTransport(Clock clock) {
      this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> connect(PeerId peer) {
      dialTimes.add(clock.now);
      if (reachable) {
        connected.add(peer);
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.failedFuture(new TransportException("unreachable"));
    }

    @Override
    public Set<PeerId> connectedPeers() {
      return Set.copyOf(connected);
    }

    @Override
    public CompletableFuture<Void> start() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<String> listenAddresses() {
      return List.of();
    }

    @Override
    public void addPeerAddress(PeerId peer, String address) {}

    @Override
    public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
      return CompletableFuture.failedFuture(new TransportException("not used"));
    }

    @Override
    public void close() {}
  }

  private static PeerId peer(int n) {
    byte[] key = new byte[32];
    key[0] = (byte) n;
    return PeerId.fromPublicKey(new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(key, 0)
        .generatePublicKey().getEncoded());
  }

  @Test
  void backoff_doublesWithJitter_capped() {
    Random r = new Random(7);
    for (int n = 1; n < 40; n++) {
      long full = Math.min(Reconnector.CAP.toMillis(), Reconnector.BASE.toMillis() << Math.min(n - 1, 20));
      for (int i = 0; i < 50; i++) {
        long d = Reconnector.backoff(n, r).toMillis();
        assertTrue(d >= full / 2 && d <= full, "attempt " + n + ": " + d + " outside [" + full / 2 + ", " + full + "]");
      }
    }
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      distinct.add(Reconnector.backoff(5, r).toMillis());
    }
    assertTrue(distinct.size() > 10, "jittered: " + distinct);
  }

  @Test
  void unreachableMember_isRetriedWithGrowingWaits_thenConnects_andBackoffResets() {
    long seed = 42;
    Clock clock = new Clock();
    FakeTransport t = new FakeTransport(clock);
    PeerId bob = peer(1);
    Reconnector rc = new Reconnector(() -> Set.of(bob), () -> t, clock, () -> clock.now, new Random(seed));
    rc.start();
    clock.advance(Duration.ofHours(1));
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < t.dialTimes.size(); i++) {
      gaps.add(t.dialTimes.get(i) - t.dialTimes.get(i - 1));
    }
    // an hour with a 5 min cap: about log2(300/2) + 60/5·… attempts, far fewer than one per tick
    assertTrue(t.dialTimes.size() >= 10 && t.dialTimes.size() < 40, "attempts: " + t.dialTimes.size());
    assertTrue(gaps.get(0) <= gaps.get(3) && gaps.get(3) <= gaps.get(6), "waits grow: " + gaps);
    for (long g : gaps) {
      assertTrue(g <= Reconnector.CAP.toMillis() + Reconnector.TICK.toMillis(), "capped: " + gaps);
    }
    assertTrue(rc.failures(bob) >= 9, "failures counted: " + rc.failures(bob));

    t.reachable = true;
    clock.advance(Reconnector.CAP.plus(Reconnector.TICK));
    assertEquals(Set.of(bob), t.connectedPeers(), "reconnected (seed " + seed + ")");
    assertEquals(0, rc.failures(bob), "backoff reset on success");
    int dials = t.dialTimes.size();
    clock.advance(Duration.ofMinutes(10));
    assertEquals(dials, t.dialTimes.size(), "a connected member is not dialed");

    // lost again: the first retry comes after one tick, not after the old 5-minute wait
    t.connected.clear();
    t.reachable = false;
    clock.advance(Reconnector.TICK);
    assertEquals(dials + 1, t.dialTimes.size());
    assertEquals(1, rc.failures(bob));
    rc.close();
    clock.advance(Duration.ofHours(1));
    assertEquals(dials + 1, t.dialTimes.size(), "no dial after close");
  }

  @Test
  void memberConnectedByItself_resetsBackoff_andManyMembersAreBoundedInFlight() {
    Clock clock = new Clock();
    FakeTransport t = new FakeTransport(clock);
    Set<PeerId> members = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      members.add(peer(i + 10));
    }
    // dials that never complete: at most MAX_IN_FLIGHT are started
    FakeTransport hanging = new FakeTransport(clock) {
      @Override
      public CompletableFuture<Void> connect(PeerId peer) {
        dialTimes.add(clock.now);
        return new CompletableFuture<>();
      }
    };
    Reconnector rc = new Reconnector(() -> members, () -> hanging, clock, () -> clock.now, new Random(1));
    rc.start();
    clock.advance(Duration.ofMinutes(5));
    assertEquals(Reconnector.MAX_IN_FLIGHT, rc.attempts());
    assertEquals(Reconnector.MAX_IN_FLIGHT, hanging.dialTimes.size());

    PeerId carol = peer(2);
    Reconnector rc2 = new Reconnector(() -> Set.of(carol), () -> t, clock, () -> clock.now, new Random(2));
    rc2.start();
    clock.advance(Duration.ofMinutes(3));
    assertTrue(rc2.failures(carol) > 1);
    rc2.connected(carol);
    assertEquals(0, rc2.failures(carol));
    t.connected.add(carol);
    int before = t.dialTimes.size();
    clock.advance(Duration.ofMinutes(30));
    assertEquals(before, t.dialTimes.size(), "a member that connected by itself is not dialed");
  }
}
