package io.spacepanda.internal.net.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a simulated link takes to carry one envelope or acknowledgement: fixed, or drawn
 * uniformly from a range for each copy.
 *
 * <p>Immutable and thread-safe.
 */
public final class Latency {

  private final long minNanos;
  private final long maxNanos;

  private Latency(long minNanos, long maxNanos) {
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
  }

  /**
   * Returns a latency that is always {@code delay}.
   *
   * @param delay the delay, zero or positive
   * @return the latency
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static Latency fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative latency " + delay);
    }
    return new Latency(delay.toNanos(), delay.toNanos());
  }

  /**
   * Returns a latency drawn uniformly between {@code min} and {@code max}, both included, for each
   * copy independently; this alone reorders envelopes sent close together.
   *
   * @param min the smallest delay, zero or positive
   * @param max the largest delay, at least {@code min}
   * @return the latency
   * @throws IllegalArgumentException if {@code min} is negative or greater than {@code max}
   */
  public static Latency uniform(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative()) {
      throw new IllegalArgumentException("negative latency " + min);
    }
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("min " + min + " exceeds max " + max);
    }
    return new Latency(min.toNanos(), max.toNanos());
  }

  /**
   * Returns the smallest delay this latency can take.
   *
   * @return the minimum
   */
  public Duration min() {
    return Duration.ofNanos(minNanos);
  }

  /**
   * Returns the largest delay this latency can take.
   *
   * @return the maximum
   */
  public Duration max() {
    return Duration.ofNanos(maxNanos);
  }

  long sampleNanos(RandomGenerator random) {
    return minNanos == maxNanos ? minNanos : random.nextLong(minNanos, maxNanos + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Latency l && l.minNanos == minNanos && l.maxNanos == maxNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(minNanos) * 31 + Long.hashCode(maxNanos);
  }

  @Override
  public String toString() {
    return minNanos == maxNanos
        ? "fixed(" + min() + ")"
        : "uniform(" + min() + ", " + max() + ")";
  }
}
