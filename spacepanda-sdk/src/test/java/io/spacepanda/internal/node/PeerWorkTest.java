package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The wasted-work ledger on a virtual clock. */
class PeerWorkTest {

  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final List<String> events = new ArrayList<>();

  private static PeerId peer(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    key[1] = (byte) (i >> 8);
    key[2] = 9;
    return PeerId.fromPublicKey(key);
  }

  private PeerWork work() {
    return new PeerWork(1000, 100, millis::get, (p, d) -> events.add(p + "=" + d));
  }

  @Test
  void charge_overCapacity_throttledOnceUntilHalfDrained() {
    PeerWork w = work();
    PeerId a = peer(1);
    PeerId b = peer(2);
    w.charge(a, 600);
    w.charge(a, 400);
    assertFalse(w.throttled(a), "at the capacity, not above");
    w.charge(a, 1);
    assertTrue(w.throttled(a));
    w.charge(a, 50);
    assertEquals(List.of(a + "=1001"), events, "one event per throttle");
    assertFalse(w.throttled(b), "other peers unaffected");

    millis.addAndGet(5_000); // 500 drained: 551 left, above half the capacity
    assertTrue(w.throttled(a));
    millis.addAndGet(600); // 60 more: 491
    assertFalse(w.throttled(a));
    w.charge(a, 600);
    assertTrue(w.throttled(a));
    assertEquals(2, w.throttledTimes());
  }

  @Test
  void nullPeerOrNothing_chargesNothing() {
    PeerWork w = work();
    w.charge(null, 5000);
    w.charge(peer(1), 0);
    assertEquals(0, w.charged());
    assertFalse(w.throttled(null));
  }

  @Test
  void manyPeers_trackedWithinTheBound_drainedOnesForgotten() {
    PeerWork w = work();
    for (int i = 0; i < PeerWork.MAX_PEERS + 100; i++) {
      w.charge(peer(i), 10);
    }
    assertEquals(10, w.debt(peer(0)));
    millis.addAndGet(1_000); // every debt drained
    for (int i = 0; i < 200; i++) {
      w.charge(peer(100_000 + i), 2000);
    }
    assertTrue(w.throttled(peer(100_000)), "a newcomer has its own account once drained ones go");
  }

  /** Whatever the schedule, debt never goes negative and a peer below half is never throttled. */
  @Property(tries = 200)
  void randomSchedule_debtBoundedBelowAndThrottleConsistent(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 5) int peers) {
    java.util.Random r = new java.util.Random(seed);
    PeerWork w = work();
    for (int step = 0; step < 300; step++) {
      PeerId p = peer(r.nextInt(peers));
      if (r.nextBoolean()) {
        w.charge(p, r.nextInt(400));
      } else {
        millis.addAndGet(r.nextInt(3000));
      }
      long debt = w.debt(p);
      assertTrue(debt >= 0, "seed " + seed);
      if (debt <= 500) {
        assertFalse(w.throttled(p), "seed " + seed);
      }
      if (debt > 1000) {
        assertTrue(w.throttled(p), "seed " + seed);
      }
    }
  }
}
