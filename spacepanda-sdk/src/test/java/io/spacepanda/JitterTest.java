package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class JitterTest {

  @Test
  void none_alwaysZero() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 100; i++) {
      assertEquals(Duration.ZERO, Jitter.none().delay(random));
    }
    assertEquals(Duration.ZERO, Jitter.none().max());
  }

  @Test
  void uniform_zero_isNone() {
    assertSame(Jitter.none(), Jitter.uniform(Duration.ZERO));
  }

  @Test
  void uniform_badMax_failsNamingValue() {
    IllegalArgumentException neg =
        assertThrows(IllegalArgumentException.class, () -> Jitter.uniform(Duration.ofSeconds(-1)));
    assertTrue(neg.getMessage().contains("PT-1S"), neg.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Jitter.uniform(Duration.ofDays(1).plusNanos(1)));
    assertThrows(NullPointerException.class, () -> Jitter.uniform(null));
  }

  @Test
  void valueSemantics() {
    assertEquals(Jitter.uniform(Duration.ofSeconds(30)), Jitter.uniform(Duration.ofMillis(30_000)));
    assertEquals(Jitter.uniform(Duration.ofSeconds(30)).hashCode(), Jitter.uniform(Duration.ofSeconds(30)).hashCode());
    assertNotEquals(Jitter.uniform(Duration.ofSeconds(30)), Jitter.uniform(Duration.ofSeconds(31)));
    assertEquals("Jitter.uniform(PT30S)", Jitter.uniform(Duration.ofSeconds(30)).toString());
    assertEquals("Jitter.none()", Jitter.none().toString());
  }

  @Test
  void uniform_delaysSpreadOverTheWholeRange() {
    Jitter jitter = Jitter.uniform(Duration.ofSeconds(30));
    SplittableRandom random = new SplittableRandom(42);
    Set<Long> seconds = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seconds.add(jitter.delay(random).toSeconds());
    }
    // All thirty one-second slots [0, 30) are hit; a constant or clamped delay would fail this.
    for (long s = 0; s < 30; s++) {
      assertTrue(seconds.contains(s), "no delay in second " + s);
    }
  }

  @Property
  void uniform_delayWithinBound(@ForAll @LongRange(min = 1, max = 86_400_000_000_000L) long maxNanos, @ForAll long seed) {
    Duration max = Duration.ofNanos(maxNanos);
    Duration d = Jitter.uniform(max).delay(new SplittableRandom(seed));
    assertTrue(!d.isNegative() && d.compareTo(max) <= 0, d + " outside [0, " + max + "]");
  }
}
