package io.spacepanda;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long each copy of a broadcast waits before it is sent: the timing-privacy setting of a node
 * (README, "How it works": jittered broadcast).
 *
 * <p>Every copy of a message, one per recipient, draws its own delay, so an observer cannot match
 * the copies of one message by the time they leave. {@link #none()} sends at once; {@link
 * #uniform(Duration)} waits a uniformly random time between zero and a maximum, with nanosecond
 * resolution. Jitter never changes the order in which members display messages.
 *
 * <p>Instances are immutable, thread-safe values. The random source is supplied by the caller so
 * that tests can replay a schedule.
 */
public final class Jitter {

  /** Largest maximum delay {@link #uniform(Duration)} accepts: one day. */
  public static final Duration MAX_DELAY = Duration.ofDays(1);

  private static final Jitter NONE = new Jitter(Duration.ZERO);

  private final Duration max;

  private Jitter(Duration max) {
    this.max = max;
  }

  /**
   * Returns the jitter that sends every copy at once.
   *
   * @return the shared instance
   */
  public static Jitter none() {
    return NONE;
  }

  /**
   * Returns a jitter that delays each copy by a uniformly random time in {@code [0, max]}.
   *
   * @param max the longest delay, between zero and {@link #MAX_DELAY}; zero is the same as {@link
   *     #none()}
   * @return the jitter
   * @throws IllegalArgumentException if {@code max} is negative or longer than {@link #MAX_DELAY};
   *     the message names the value
   */
  public static Jitter uniform(Duration max) {
    Objects.requireNonNull(max, "max");
    if (max.isNegative() || max.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException("jitter max " + max + " is not in PT0S.." + MAX_DELAY);
    }
    return max.isZero() ? NONE : new Jitter(max);
  }

  /**
   * Returns the longest delay this jitter draws.
   *
   * @return zero for {@link #none()}
   */
  public Duration max() {
    return max;
  }

  /**
   * Draws one delay.
   *
   * @param random the source of randomness; not used by {@link #none()}
   * @return a delay in {@code [0, max()]}
   */
  public Duration delay(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    if (max.isZero()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(random.nextLong(max.toNanos() + 1));
  }

  /**
   * Tells whether {@code o} is a jitter with the same maximum.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Jitter && max.equals(((Jitter) o).max);
  }

  /**
   * Returns a hash of the maximum.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return max.hashCode();
  }

  /**
   * Describes the jitter as the factory call that makes it.
   *
   * @return {@code Jitter.none()} or {@code Jitter.uniform(PT30S)}
   */
  @Override
  public String toString() {
    return max.isZero() ? "Jitter.none()" : "Jitter.uniform(" + max + ")";
  }
}
