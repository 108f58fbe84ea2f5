package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkConditionsTest {

  @Test
  void reliable_hasDefaultLatencyAndNoFaults() {
    LinkConditions c = LinkConditions.reliable();

    assertEquals(Latency.fixed(LinkConditions.DEFAULT_LATENCY), c.latency());
    assertEquals(0.0, c.loss() + c.duplication() + c.reordering());
  }

  @Test
  void with_changesOnlyTheNamedCondition() {
    LinkConditions c = LinkConditions.reliable().withLoss(0.1).withDuplication(0.2)
        .withReordering(0.3, Duration.ofSeconds(1))
        .withLatency(Latency.uniform(Duration.ZERO, Duration.ofMillis(5)));

    assertEquals(new LinkConditions(Latency.uniform(Duration.ZERO, Duration.ofMillis(5)), 0.1, 0.2,
        0.3, Duration.ofSeconds(1)), c);
  }

  @Test
  void probabilityOutOfRange_fails() {
    assertThrows(IllegalArgumentException.class, () -> LinkConditions.reliable().withLoss(1.5));
    assertThrows(IllegalArgumentException.class,
        () -> LinkConditions.reliable().withDuplication(-0.1));
    assertThrows(IllegalArgumentException.class,
        () -> LinkConditions.reliable().withReordering(Double.NaN, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> LinkConditions.reliable().withReordering(0.5, Duration.ofMillis(-1)));
  }
}
