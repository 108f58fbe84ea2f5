package io.spacepanda.internal.net.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The faults of a simulated link in one direction: latency, loss, duplication and reordering.
 *
 * <p>Loss applies to each copy of an envelope and to each acknowledgement independently, so a lost
 * acknowledgement makes a delivered envelope look undelivered to its sender, as on a real network.
 * Reordering adds, with the given probability, an extra delay drawn uniformly up to the given
 * bound. Immutable and thread-safe; the {@code with…} methods return modified copies.
 *
 * @param latency the delay of every copy and acknowledgement
 * @param loss probability in [0, 1] that a copy or acknowledgement is lost
 * @param duplication probability in [0, 1] that an envelope is delivered a second time
 * @param reordering probability in [0, 1] that a copy gets an extra delay
 * @param reorderMaxDelay the largest extra delay of a reordered copy
 */
public record LinkConditions(Latency latency, double loss, double duplication, double reordering,
    Duration reorderMaxDelay) {

  /** The default latency of a link: a fixed 10 milliseconds. */
  public static final Duration DEFAULT_LATENCY = Duration.ofMillis(10);

  /**
   * Checks the conditions.
   *
   * @throws IllegalArgumentException if a probability is outside [0, 1] or the delay is negative
   */
  public LinkConditions {
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(reorderMaxDelay, "reorderMaxDelay");
    checkProbability("loss", loss);
    checkProbability("duplication", duplication);
    checkProbability("reordering", reordering);
    if (reorderMaxDelay.isNegative()) {
      throw new IllegalArgumentException("negative reorderMaxDelay " + reorderMaxDelay);
    }
  }

  /**
   * Returns a link with a fixed {@link #DEFAULT_LATENCY} and no faults.
   *
   * @return the conditions
   */
  public static LinkConditions reliable() {
    return new LinkConditions(Latency.fixed(DEFAULT_LATENCY), 0, 0, 0, Duration.ZERO);
  }

  /**
   * Returns a copy with another latency.
   *
   * @param newLatency the latency
   * @return the new conditions
   */
  public LinkConditions withLatency(Latency newLatency) {
    return new LinkConditions(newLatency, loss, duplication, reordering, reorderMaxDelay);
  }

  /**
   * Returns a copy with another loss probability.
   *
   * @param probability in [0, 1]
   * @return the new conditions
   * @throws IllegalArgumentException if the probability is outside [0, 1]
   */
  public LinkConditions withLoss(double probability) {
    return new LinkConditions(latency, probability, duplication, reordering, reorderMaxDelay);
  }

  /**
   * Returns a copy with another duplication probability.
   *
   * @param probability in [0, 1]
   * @return the new conditions
   * @throws IllegalArgumentException if the probability is outside [0, 1]
   */
  public LinkConditions withDuplication(double probability) {
    return new LinkConditions(latency, loss, probability, reordering, reorderMaxDelay);
  }

  /**
   * Returns a copy that delays a share of the copies by an extra random delay.
   *
   * @param probability in [0, 1], the share of copies delayed
   * @param maxExtraDelay the largest extra delay
   * @return the new conditions
   * @throws IllegalArgumentException if the probability is outside [0, 1] or the delay negative
   */
  public LinkConditions withReordering(double probability, Duration maxExtraDelay) {
    return new LinkConditions(latency, loss, duplication, probability, maxExtraDelay);
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException(name + " probability " + p + " is not in [0, 1]");
    }
  }
}
