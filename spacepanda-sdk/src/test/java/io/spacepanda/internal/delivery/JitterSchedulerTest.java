package io.spacepanda.internal.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Jitter;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class JitterSchedulerTest {

  private static final Duration MAX = Duration.ofSeconds(30);

  private static List<String> recipients(int n) {
    List<String> r = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      r.add("peer-" + i);
    }
    return r;
  }

  @Test
  void schedule_uniform_eachCopyAtItsOwnTimeWithinBound() {
    SimulatedNetwork clock = new SimulatedNetwork(1);
    JitterScheduler jitter = new JitterScheduler(Jitter.uniform(MAX), clock.scheduler(), new SplittableRandom(7));
    Map<String, Duration> sentAt = new LinkedHashMap<>();

    for (String r : recipients(20)) {
      jitter.scheduleCopy(() -> sentAt.put(r, clock.now()));
    }

    assertEquals(0, clock.advance(Duration.ZERO), "a uniform jitter sent a copy at once");
    assertEquals(20, clock.runUntilIdle());
    assertEquals(20, sentAt.size());
    Set<Duration> distinct = new HashSet<>(sentAt.values());
    assertEquals(20, distinct.size(), "copies shared a send time: " + sentAt);
    for (Duration d : sentAt.values()) {
      assertTrue(!d.isNegative() && d.compareTo(MAX) <= 0, d.toString());
    }
    assertTrue(clock.now().compareTo(MAX) <= 0);
  }

  @Test
  void schedule_none_sendsEveryCopyAtTimeZero() {
    SimulatedNetwork clock = new SimulatedNetwork(1);
    JitterScheduler jitter = new JitterScheduler(Jitter.none(), clock.scheduler(), new SplittableRandom(7));
    List<String> sent = new ArrayList<>();
    for (String r : recipients(5)) {
      jitter.scheduleCopy(() -> sent.add(r));
    }
    assertEquals(5, clock.advance(Duration.ZERO));
    assertEquals(recipients(5), sent);
  }

  @Test
  void schedule_sameSeed_sameSchedule() {
    assertEquals(sendTimes(99), sendTimes(99));
  }

  private static Map<String, Duration> sendTimes(long seed) {
    SimulatedNetwork clock = new SimulatedNetwork(1);
    JitterScheduler jitter = new JitterScheduler(Jitter.uniform(MAX), clock.scheduler(), new SplittableRandom(seed));
    Map<String, Duration> sentAt = new LinkedHashMap<>();
    for (String r : recipients(10)) {
      jitter.scheduleCopy(() -> sentAt.put(r, clock.now()));
    }
    clock.runUntilIdle();
    return sentAt;
  }

  @Test
  void scheduleCopy_singleCopyWithinBound() {
    SimulatedNetwork clock = new SimulatedNetwork(1);
    JitterScheduler jitter = new JitterScheduler(Jitter.uniform(MAX), clock.scheduler(), new SplittableRandom(5));
    List<Duration> at = new ArrayList<>();
    jitter.scheduleCopy(() -> at.add(clock.now()));
    clock.runUntilIdle();
    assertEquals(1, at.size());
    assertTrue(at.get(0).compareTo(MAX) <= 0);
  }

  @Property(tries = 200)
  void everyCopySentOnceWithinBound(@ForAll @IntRange(min = 1, max = 50) int n, @ForAll long seed) {
    SimulatedNetwork clock = new SimulatedNetwork(1);
    JitterScheduler jitter = new JitterScheduler(Jitter.uniform(MAX), clock.scheduler(), new SplittableRandom(seed));
    Map<String, Duration> sentAt = new LinkedHashMap<>();
    for (String r : recipients(n)) {
      jitter.scheduleCopy(() -> assertEquals(null, sentAt.put(r, clock.now())));
    }
    clock.advance(MAX);
    assertEquals(n, sentAt.size());
    assertEquals(0, clock.runUntilIdle(), "no copy left pending");
  }
}
