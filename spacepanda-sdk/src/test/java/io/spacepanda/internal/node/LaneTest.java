package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lane runs one actor's tasks one at a time, in order, over shared worker threads. */
class LaneTest {

  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS), "pool stopped");
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS), "not within " + WAIT_SECONDS
        + " s: " + what);
  }

  @Test
  void execute_onAPool_runsTasksOneAtATimeInOrder() throws InterruptedException {
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, pool);
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1000);
    for (int i = 0; i < 1000; i++) {
      int n = i;
      lane.execute(() -> {
        if (inside.incrementAndGet() != 1) {
          overlaps.incrementAndGet();
        }
        order.add(n);
        Thread.yield();
        inside.decrementAndGet();
        done.countDown();
      });
    }
    await(done, "all tasks ran");
    assertEquals(0, overlaps.get(), "two tasks of one lane ran at once");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }

  @Test
  void execute_twoLanes_runInParallel() throws InterruptedException {
    Lane a = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, pool);
    Lane b = new Lane("b", io.spacepanda.NodeEventListener.ActorKind.NODE, pool);
    CountDownLatch aStarted = new CountDownLatch(1);
    CountDownLatch bRan = new CountDownLatch(1);
    CountDownLatch aFinished = new CountDownLatch(1);
    a.execute(() -> {
      aStarted.countDown();
      try {
        // Lane a stays busy until lane b has run: only possible if b does not wait for a.
        if (bRan.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          aFinished.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    await(aStarted, "lane a started");
    b.execute(bRan::countDown);
    await(bRan, "lane b ran while lane a was busy");
    await(aFinished, "lane a saw lane b run");
  }

  @Test
  void execute_fromInsideATask_runsAfterIt_onAPool() throws InterruptedException {
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, pool);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    lane.execute(() -> {
      lane.execute(() -> {
        order.add("inner");
        done.countDown();
      });
      order.add("outer end");
    });
    await(done, "inner task ran");
    assertEquals(List.of("outer end", "inner"), order);
  }

  @Test
  void execute_fromInsideATask_runsAfterIt_onADirectExecutor() {
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);
    List<String> order = new ArrayList<>();
    lane.execute(() -> {
      lane.execute(() -> order.add("inner"));
      order.add("outer end");
    });
    assertEquals(List.of("outer end", "inner"), order);
  }

  @Test
  void execute_aTaskThrows_theNextStillRuns() throws InterruptedException {
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, pool);
    CountDownLatch next = new CountDownLatch(1);
    lane.execute(() -> {
      throw new IllegalStateException("boom (expected by the test)");
    });
    lane.execute(next::countDown);
    await(next, "the task after the throwing one ran");
  }

  @Test
  void execute_aTaskThrows_onADirectExecutor_theNextStillRunsAndNothingEscapes() {
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);
    List<String> order = new ArrayList<>();
    lane.execute(() -> {
      lane.execute(() -> order.add("after"));
      throw new IllegalStateException("boom (expected by the test)");
    });
    assertEquals(List.of("after"), order);
  }

  @Test
  void execute_executorRejects_dropsQueuedTasksWithoutThrowing() throws InterruptedException {
    ExecutorService closed = Executors.newSingleThreadExecutor();
    closed.shutdown();
    Lane lane = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE, closed);
    List<String> ran = new ArrayList<>();
    lane.execute(() -> ran.add("first"));
    lane.execute(() -> ran.add("second"));
    assertTrue(ran.isEmpty(), "nothing ran on a refusing executor");

    // The lane is not stuck "running": once the executor accepts work again, new tasks run, and
    // the dropped ones stay dropped.
    AtomicInteger calls = new AtomicInteger();
    Lane flaky = new Lane("b", io.spacepanda.NodeEventListener.ActorKind.NODE, task -> {
      if (calls.getAndIncrement() == 0) {
        throw new RejectedExecutionException("closing (expected by the test)");
      }
      task.run();
    });
    flaky.execute(() -> ran.add("dropped"));
    flaky.execute(() -> ran.add("later"));
    assertEquals(List.of("later"), ran);
    assertFalse(ran.contains("dropped"));
  }

  @Test
  void logTagged_eachDrainRunsWithTheNodeTag_andRestoresTheCallersTag() {
    org.slf4j.MDC.put(Lane.MDC_NODE, "caller");
    try {
      Lane a = new Lane("a", io.spacepanda.NodeEventListener.ActorKind.NODE,
          new Lane.LogTagged(Runnable::run, "nodeA"));
      Lane b = new Lane("b", io.spacepanda.NodeEventListener.ActorKind.NODE,
          new Lane.LogTagged(Runnable::run, "nodeB"));
      List<String> seen = new ArrayList<>();
      a.execute(() -> {
        seen.add(org.slf4j.MDC.get(Lane.MDC_NODE));
        a.execute(() -> seen.add(org.slf4j.MDC.get(Lane.MDC_NODE)));
        // another node's lane drained inside this one (direct executors, virtual time)
        b.execute(() -> seen.add(org.slf4j.MDC.get(Lane.MDC_NODE)));
        seen.add(org.slf4j.MDC.get(Lane.MDC_NODE));
      });
      assertEquals(List.of("nodeA", "nodeB", "nodeA", "nodeA"), seen);
      assertEquals("caller", org.slf4j.MDC.get(Lane.MDC_NODE), "restored after the drain");

      new Lane.LogTagged(Runnable::run, "nodeC").execute(
          () -> seen.add(org.slf4j.MDC.get(Lane.MDC_NODE)));
      assertEquals("nodeC", seen.get(4), "a task given to the executor directly is tagged too");
      assertEquals("caller", org.slf4j.MDC.get(Lane.MDC_NODE));
    } finally {
      org.slf4j.MDC.remove(Lane.MDC_NODE);
    }
    new Lane("c", io.spacepanda.NodeEventListener.ActorKind.NODE,
        new Lane.LogTagged(Runnable::run, "nodeD")).execute(() -> { });
    assertEquals(null, org.slf4j.MDC.get(Lane.MDC_NODE), "removed when the caller had none");
  }
}
