package io.spacepanda.internal.node;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts occurrences per category and says when to report them: at most once per interval per
 * category, with the count since the last report. The first occurrence of a category is reported
 * at once.
 *
 * <p>Used to log dropped envelopes without letting a misbehaving peer flood the log. Lock-free and
 * thread-safe: one compare-and-set decides which caller reports; the others only count.
 *
 * @param <E> the categories
 */
final class RateLimitedCount<E extends Enum<E>> {

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLongArray counts;
  private final AtomicLongArray lastReport;

  /**
   * @param type the category enum
   * @param interval the shortest time between two reports of one category
   * @param nanoTime the ticker, {@code System::nanoTime} outside tests
   */
  RateLimitedCount(Class<E> type, Duration interval, LongSupplier nanoTime) {
    int n = type.getEnumConstants().length;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.counts = new AtomicLongArray(n);
    this.lastReport = new AtomicLongArray(n);
    long start = nanoTime.getAsLong() - intervalNanos;
    for (int i = 0; i < n; i++) {
      lastReport.set(i, start);
    }
  }

  /**
   * Counts one occurrence.
   *
   * @param category its category
   * @return the occurrences to report now (this one included), or 0 if it is not time to report
   */
  long count(E category) {
    int i = category.ordinal();
    counts.incrementAndGet(i);
    long now = nanoTime.getAsLong();
    long last = lastReport.get(i);
    if (now - last >= intervalNanos && lastReport.compareAndSet(i, last, now)) {
      return counts.getAndSet(i, 0);
    }
    return 0;
  }
}
