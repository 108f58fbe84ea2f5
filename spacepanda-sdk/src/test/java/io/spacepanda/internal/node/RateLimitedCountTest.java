package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.NodeEventListener.DropReason;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedCountTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimitedCount<DropReason> limiter =
      new RateLimitedCount<>(DropReason.class, Duration.ofMinutes(1), now::get);

  @Test
  void count_firstOccurrence_isReportedAtOnce() {
    assertEquals(1, limiter.count(DropReason.DUPLICATE));
  }

  @Test
  void count_withinTheInterval_countsSilentlyThenReportsTheSumOnce() {
    assertEquals(1, limiter.count(DropReason.MALFORMED));
    for (int i = 0; i < 5; i++) {
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      assertEquals(0, limiter.count(DropReason.MALFORMED));
    }
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertEquals(6, limiter.count(DropReason.MALFORMED), "five silent ones and this one");
    assertEquals(0, limiter.count(DropReason.MALFORMED));
  }

  @Test
  void count_categoriesAreLimitedSeparately() {
    assertEquals(1, limiter.count(DropReason.MALFORMED));
    assertEquals(1, limiter.count(DropReason.PAST_EPOCH));
    assertEquals(0, limiter.count(DropReason.MALFORMED));
    assertEquals(0, limiter.count(DropReason.PAST_EPOCH));
  }

  @Test
  void count_quietForLong_nextOneIsReportedAtOnce() {
    assertEquals(1, limiter.count(DropReason.REFUSED));
    now.addAndGet(Duration.ofHours(3).toNanos());
    assertEquals(1, limiter.count(DropReason.REFUSED));
  }
}
