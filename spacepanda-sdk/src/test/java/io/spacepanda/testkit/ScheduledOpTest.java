package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduledOpTest {

  @Test
  void scheduleAll_runsEachOpAtItsTimeInListOrder() {
    SimulatedNetwork net = new SimulatedNetwork(1);
    List<String> ran = new ArrayList<>();
    List<ScheduledOp<String>> ops = List.of(new ScheduledOp<>(Duration.ofSeconds(1), "a"),
        new ScheduledOp<>(Duration.ofSeconds(1), "b"), new ScheduledOp<>(Duration.ofSeconds(2), "c"));

    ScheduledOp.scheduleAll(net, ops, op -> ran.add(op + "@" + net.now().toSeconds()));
    net.runFor(Duration.ofMillis(1999));
    assertEquals(List.of("a@1", "b@1"), ran);
    net.runUntilIdle();

    assertEquals(List.of("a@1", "b@1", "c@2"), ran);
  }

  @Test
  void negativeTime_fails() {
    assertThrows(IllegalArgumentException.class,
        () -> new ScheduledOp<>(Duration.ofMillis(-1), "x"));
  }
}
