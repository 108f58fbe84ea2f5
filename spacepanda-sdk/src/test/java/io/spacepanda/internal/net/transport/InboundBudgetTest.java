package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class InboundBudgetTest {

  @Test
  void reserve_overTheBudget_largerHolderGivesWayToSmallerOne() {
    InboundBudget<String> b = new InboundBudget<>(1000);
    List<String> evicted = new ArrayList<>();
    assertNotNull(b.reserve("hog", 600, () -> evicted.add("hog1")));
    assertNotNull(b.reserve("hog", 300, () -> evicted.add("hog2")));

    assertNotNull(b.reserve("small", 200, () -> evicted.add("small")));

    assertEquals(List.of("hog1"), evicted, "the hog's oldest reservation gives way");
    assertEquals(500, b.total());
    assertEquals(1, b.evicted());
  }

  @Test
  void reserve_requesterIsTheLargestHolder_isRefusedAndNothingEvicted() {
    InboundBudget<String> b = new InboundBudget<>(1000);
    b.reserve("a", 500, () -> {});
    b.reserve("b", 400, () -> {});
    assertNull(b.reserve("a", 200, () -> {}));
    assertNull(b.reserve("c", 2000, () -> {}), "more than the whole budget");
    assertEquals(0, b.evicted());
    assertEquals(900, b.total());
  }

  @Test
  void release_twice_countsOnce() {
    InboundBudget<String> b = new InboundBudget<>(1000);
    InboundBudget.Reservation r = b.reserve("a", 500, () -> {});
    b.release(r);
    b.release(r);
    assertEquals(0, b.total());
  }

  /** Whatever peers announce, in any order, the budget is never exceeded and never negative. */
  @Property(tries = 200)
  void reserveAndRelease_randomSchedule_totalStaysWithinBudget(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int owners,
      @ForAll @LongRange(min = 1, max = 10_000) long max) {
    Random random = new Random(seed);
    InboundBudget<Integer> b = new InboundBudget<>(max);
    List<InboundBudget.Reservation> live = new ArrayList<>();
    long expected = 0;
    for (int step = 0; step < 200; step++) {
      if (!live.isEmpty() && random.nextInt(3) == 0) {
        InboundBudget.Reservation r = live.remove(random.nextInt(live.size()));
        b.release(r);
      } else {
        InboundBudget.Reservation r = b.reserve(random.nextInt(owners), 1 + random.nextInt((int) max + 10), () -> {});
        if (r != null) {
          live.add(r);
        }
      }
      expected = 0;
      for (InboundBudget.Reservation r : live) {
        if (!r.released) {
          expected += r.bytes;
        }
      }
      assertEquals(expected, b.total(), "seed " + seed);
      org.junit.jupiter.api.Assertions.assertTrue(b.total() <= max && b.total() >= 0, "seed " + seed);
    }
  }
}
