package io.spacepanda.internal.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

  @Test
  void advance_runsDueTasksInTimeThenSchedulingOrder() {
    VirtualScheduler s = new VirtualScheduler();
    List<String> log = new ArrayList<>();
    s.schedule(Duration.ofSeconds(2), () -> log.add("b@" + s.now().toSeconds()));
    s.schedule(Duration.ofSeconds(1), () -> log.add("a@" + s.now().toSeconds()));
    s.schedule(Duration.ofSeconds(2), () -> log.add("c@" + s.now().toSeconds()));
    s.schedule(Duration.ofSeconds(5), () -> log.add("late"));
    assertEquals(3, s.advance(Duration.ofSeconds(3)));
    assertEquals(List.of("a@1", "b@2", "c@2"), log);
    assertEquals(Duration.ofSeconds(3), s.now());
    assertEquals(1, s.pending());
  }

  @Test
  void cancel_beforeDue_preventsRun() {
    VirtualScheduler s = new VirtualScheduler();
    List<String> log = new ArrayList<>();
    Scheduler.Cancellable c = s.schedule(Duration.ofSeconds(1), () -> log.add("x"));
    assertTrue(c.cancel());
    assertFalse(c.cancel());
    assertEquals(0, s.runUntilIdle());
    assertTrue(log.isEmpty());
  }

  @Test
  void runUntilIdle_runsTasksScheduledByTasks() {
    VirtualScheduler s = new VirtualScheduler();
    List<Long> times = new ArrayList<>();
    s.schedule(Duration.ofSeconds(1), () -> {
      times.add(s.now().toSeconds());
      s.schedule(Duration.ofSeconds(4), () -> times.add(s.now().toSeconds()));
    });
    assertEquals(2, s.runUntilIdle());
    assertEquals(List.of(1L, 5L), times);
  }
}
