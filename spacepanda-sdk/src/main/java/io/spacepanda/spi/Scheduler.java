package io.spacepanda.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay; the node's single source of "later", injected so that tests run on
 * virtual time.
 *
 * <p>This is a plug-in point: a node uses a scheduler of its own unless one is given to {@code
 * SpacePanda.Builder.scheduler(...)}, and {@link #of(ScheduledExecutorService)} adapts any
 * executor. A virtual-time implementation ships in the SDK's test-jar ({@code
 * io.spacepanda.internal.net.sim.VirtualTimeScheduler}).
 *
 * <p>Implementations must be thread-safe. A task runs at most once, never before its delay has
 * passed, and not at all once cancelled.
 */
public interface Scheduler {

  /**
   * Schedules a task to run once after {@code delay}.
   *
   * @param delay how long to wait; zero means as soon as possible
   * @param task the task
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Duration delay, Runnable task);

  /**
   * Adapts a {@link ScheduledExecutorService}; the caller keeps ownership of the executor and shuts
   * it down.
   *
   * @param executor the executor that runs the tasks
   * @return a scheduler backed by the executor
   */
  static Scheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (delay, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }

  /** A scheduled task that can still be cancelled. */
  @FunctionalInterface
  interface Cancellable {

    /**
     * Cancels the task if it has not started yet.
     *
     * @return true if this call prevented the task from running
     */
    boolean cancel();
  }
}
