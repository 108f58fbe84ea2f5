package io.spacepanda.internal.net.sim;

import io.spacepanda.spi.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The event queue of a {@link SimulatedNetwork}: a {@link Scheduler} on virtual time.
 *
 * <p>Design: a priority queue ordered by (due time, scheduling order), so two tasks due at the same
 * instant run in the order they were scheduled and a run is a pure function of what was scheduled.
 * Nothing runs until a caller advances time; tasks then run on that caller's thread, outside the
 * queue's lock, so a task may schedule more tasks. Cancelling marks the entry and leaves it in the
 * queue to be skipped, so that cancelling a timeout costs O(1) even with many envelopes in flight.
 * Time starts at zero and only moves forward.
 *
 * <p>Thread-safe for scheduling; advancing is meant for one thread at a time (the test thread).
 */
final class VirtualTimeScheduler implements Scheduler {

  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long nowNanos;
  private long sequence;
  private int live;
  private boolean running;

  /** Returns the virtual time elapsed since creation. */
  synchronized Duration now() {
    return Duration.ofNanos(nowNanos);
  }

  /** Returns the virtual time elapsed since creation, in nanoseconds. */
  synchronized long nowNanos() {
    return nowNanos;
  }

  /** Returns how many tasks are waiting to run, not counting cancelled ones. */
  synchronized int pending() {
    return live;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(task, "task");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay " + delay);
    }
    Entry e = new Entry(Math.addExact(nowNanos, delay.toNanos()), sequence++, task);
    queue.add(e);
    live++;
    return () -> {
      synchronized (VirtualTimeScheduler.this) {
        if (e.done) {
          return false;
        }
        e.done = true;
        live--;
        return true;
      }
    };
  }

  /**
   * Moves time forward by {@code step}, running every task that falls due, each at its due time.
   *
   * @return how many tasks ran
   */
  int advance(Duration step) {
    Objects.requireNonNull(step, "step");
    if (step.isNegative()) {
      throw new IllegalArgumentException("negative step " + step);
    }
    long target;
    synchronized (this) {
      target = Math.addExact(nowNanos, step.toNanos());
    }
    return runThrough(target, Long.MAX_VALUE);
  }

  /**
   * Runs tasks until none is left, moving time to the due time of each.
   *
   * @param maxTasks a bound against tasks that reschedule themselves forever
   * @return how many tasks ran
   * @throws IllegalStateException if more than {@code maxTasks} tasks ran and more are waiting
   */
  int runUntilIdle(long maxTasks) {
    int ran = runThrough(Long.MAX_VALUE, maxTasks);
    synchronized (this) {
      if (!queue.isEmpty()) {
        throw new IllegalStateException("still busy after " + ran + " tasks; a task reschedules itself"
            + " forever, use advance(Duration) instead");
      }
    }
    return ran;
  }

  private int runThrough(long targetNanos, long maxTasks) {
    synchronized (this) {
      if (running) {
        throw new IllegalStateException("virtual time cannot be advanced from inside a simulated task");
      }
      running = true;
    }
    int ran = 0;
    try {
      while (ran < maxTasks) {
        Entry next;
        synchronized (this) {
          next = queue.peek();
          if (next == null || next.dueNanos > targetNanos) {
            break;
          }
          queue.poll();
          if (next.done) {
            continue;
          }
          next.done = true;
          live--;
          nowNanos = next.dueNanos;
        }
        next.task.run();
        ran++;
      }
      synchronized (this) {
        if (targetNanos != Long.MAX_VALUE) {
          nowNanos = targetNanos;
        }
      }
      return ran;
    } finally {
      synchronized (this) {
        running = false;
      }
    }
  }

  private static final class Entry implements Comparable<Entry> {
    final long dueNanos;
    final long seq;
    final Runnable task;
    boolean done;

    Entry(long dueNanos, long seq, Runnable task) {
      this.dueNanos = dueNanos;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(dueNanos, o.dueNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
