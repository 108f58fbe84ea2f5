package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualTimeSchedulerTest {

  private final VirtualTimeScheduler loop = new VirtualTimeScheduler();

  @Test
  void advance_runsDueTasksInDueThenSchedulingOrder() {
    List<String> ran = new ArrayList<>();
    loop.schedule(Duration.ofSeconds(2), () -> ran.add("late"));
    loop.schedule(Duration.ofSeconds(1), () -> ran.add("early"));
    loop.schedule(Duration.ofSeconds(1), () -> ran.add("early2"));

    loop.advance(Duration.ofMillis(999));
    assertTrue(ran.isEmpty());
    loop.advance(Duration.ofMillis(1));
    assertEquals(List.of("early", "early2"), ran);
    assertEquals(Duration.ofSeconds(1), loop.now());
    loop.runUntilIdle(100);
    assertEquals(List.of("early", "early2", "late"), ran);
    assertEquals(Duration.ofSeconds(2), loop.now());
  }

  @Test
  void advance_taskScheduledByTask_runsInSameAdvanceIfDue() {
    List<Duration> ran = new ArrayList<>();
    loop.schedule(Duration.ofSeconds(1),
        () -> loop.schedule(Duration.ofSeconds(1), () -> ran.add(loop.now())));

    loop.advance(Duration.ofSeconds(5));

    assertEquals(List.of(Duration.ofSeconds(2)), ran);
    assertEquals(Duration.ofSeconds(5), loop.now());
  }

  @Test
  void cancel_beforeRun_taskNeverRuns() {
    List<String> ran = new ArrayList<>();
    Scheduler.Cancellable cancelled = loop.schedule(Duration.ofSeconds(1), () -> ran.add("x"));
    Scheduler.Cancellable kept = loop.schedule(Duration.ofSeconds(1), () -> ran.add("kept"));

    assertTrue(cancelled.cancel());
    assertFalse(cancelled.cancel(), "second cancel reported success");
    assertEquals(1, loop.pending());
    loop.runUntilIdle(100);

    assertEquals(List.of("kept"), ran);
    assertFalse(kept.cancel(), "cancel after the run reported success");
    assertEquals(0, loop.pending());
  }

  @Test
  void schedule_negativeDelay_fails() {
    assertThrows(IllegalArgumentException.class,
        () -> loop.schedule(Duration.ofNanos(-1), () -> {}));
    assertThrows(IllegalArgumentException.class, () -> loop.advance(Duration.ofNanos(-1)));
  }

  @Test
  void runUntilIdle_fromInsideTask_fails() {
    List<Throwable> errors = new ArrayList<>();
    loop.schedule(Duration.ZERO, () -> {
      try {
        loop.runUntilIdle(100);
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    });

    loop.runUntilIdle(100);

    assertEquals(1, errors.size());
  }

  @Test
  void runUntilIdle_selfReschedulingTask_failsInsteadOfHanging() {
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> loop.schedule(Duration.ofSeconds(1), tick[0]);
    loop.schedule(Duration.ZERO, tick[0]);

    assertThrows(IllegalStateException.class, () -> loop.runUntilIdle(1000));
  }
}
