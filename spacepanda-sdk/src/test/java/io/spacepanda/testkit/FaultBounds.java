package io.spacepanda.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The worst link conditions {@link NetworkArbitraries} may generate.
 *
 * @param maxLoss the highest loss probability, in [0, 1]
 * @param maxDuplication the highest duplication probability, in [0, 1]
 * @param maxReordering the highest probability of an extra reordering delay, in [0, 1]
 * @param maxReorderDelay the longest extra reordering delay
 * @param maxLatency the longest link latency, at least one millisecond
 */
public record FaultBounds(double maxLoss, double maxDuplication, double maxReordering,
    Duration maxReorderDelay, Duration maxLatency) {

  /**
   * Checks the bounds.
   *
   * @throws IllegalArgumentException if a probability is outside [0, 1], the reorder delay is
   *     negative or the latency under one millisecond
   */
  public FaultBounds {
    checkProbability("maxLoss", maxLoss);
    checkProbability("maxDuplication", maxDuplication);
    checkProbability("maxReordering", maxReordering);
    Objects.requireNonNull(maxReorderDelay, "maxReorderDelay");
    Objects.requireNonNull(maxLatency, "maxLatency");
    if (maxReorderDelay.isNegative()) {
      throw new IllegalArgumentException("negative maxReorderDelay " + maxReorderDelay);
    }
    if (maxLatency.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("maxLatency under 1 ms: " + maxLatency);
    }
  }

  /**
   * Returns bounds that hurt without making progress hopeless: up to 30% loss, 30% duplication,
   * half the copies reordered by up to a second, and latencies up to 200 ms.
   *
   * @return the bounds
   */
  public static FaultBounds moderate() {
    return new FaultBounds(0.3, 0.3, 0.5, Duration.ofSeconds(1), Duration.ofMillis(200));
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException(name + " " + p + " is not in [0, 1]");
    }
  }
}
