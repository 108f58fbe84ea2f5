package io.spacepanda.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  @Test
  void of_executor_runsTaskAndCancelsPendingOne() throws Exception {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      Scheduler scheduler = Scheduler.of(executor);
      CountDownLatch ran = new CountDownLatch(1);
      scheduler.schedule(Duration.ZERO, ran::countDown);
      assertTrue(ran.await(30, TimeUnit.SECONDS));

      AtomicInteger late = new AtomicInteger();
      Scheduler.Cancellable c = scheduler.schedule(Duration.ofHours(1), late::incrementAndGet);
      assertTrue(c.cancel());
      assertFalse(c.cancel());
      assertEquals(0, late.get());
    } finally {
      executor.shutdownNow();
      assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
    }
  }
}
