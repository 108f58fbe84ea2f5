package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LatencyTest {

  @Property(tries = 200)
  void uniform_samplesStayWithinBounds(@ForAll @LongRange(min = 0, max = 1_000_000) long min,
      @ForAll @LongRange(min = 0, max = 1_000_000) long extra, @ForAll long seed) {
    Latency l = Latency.uniform(Duration.ofNanos(min), Duration.ofNanos(min + extra));
    SplittableRandom r = new SplittableRandom(seed);

    for (int i = 0; i < 20; i++) {
      long d = l.sampleNanos(r);
      assertTrue(d >= min && d <= min + extra, d + " outside " + l);
    }
  }

  @Test
  void fixed_alwaysTheSame() {
    Latency l = Latency.fixed(Duration.ofMillis(7));

    assertEquals(Duration.ofMillis(7).toNanos(), l.sampleNanos(new SplittableRandom(1)));
    assertEquals(l.min(), l.max());
  }

  @Test
  void invalidBounds_fail() {
    assertThrows(IllegalArgumentException.class, () -> Latency.fixed(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class,
        () -> Latency.uniform(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> Latency.uniform(Duration.ofMillis(-1), Duration.ofSeconds(1)));
  }
}
