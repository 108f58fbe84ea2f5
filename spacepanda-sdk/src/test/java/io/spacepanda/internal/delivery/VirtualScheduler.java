package io.spacepanda.internal.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on virtual time for deterministic tests: nothing runs until the test calls
 * {@link #advance(Duration)} or {@link #runUntilIdle()}, and then tasks run on the caller's thread
 * in order of due time, ties in order of scheduling.
 *
 * <p>Time starts at zero and only moves forward. Tasks scheduled by running tasks are honoured if
 * they fall due within the same advance. Thread-safe for scheduling; advancing is meant for the
 * test thread only.
 */
public final class VirtualScheduler implements Scheduler {

  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long nowNanos;
  private long sequence;

  /**
   * Returns the virtual time elapsed since creation.
   *
   * @return the current virtual time
   */
  public synchronized Duration now() {
    return Duration.ofNanos(nowNanos);
  }

  /**
   * Returns how many tasks are scheduled and not cancelled.
   *
   * @return the count
   */
  public synchronized int pending() {
    return (int) queue.stream().filter(e -> !e.cancelled).count();
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
    return () -> {
      synchronized (VirtualScheduler.this) {
        if (e.cancelled || e.started) {
          return false;
        }
        e.cancelled = true;
        return queue.remove(e);
      }
    };
  }

  /**
   * Moves virtual time forward by {@code step}, running every task that falls due, each at its due
   * time.
   *
   * @param step how far to move; not negative
   * @return how many tasks ran
   */
  public int advance(Duration step) {
    if (step.isNegative()) {
      throw new IllegalArgumentException("negative step " + step);
    }
    long target;
    synchronized (this) {
      target = Math.addExact(nowNanos, step.toNanos());
    }
    int ran = 0;
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueNanos > target) {
          nowNanos = target;
          return ran;
        }
        queue.poll();
        nowNanos = next.dueNanos;
        next.started = true;
      }
      next.task.run();
      ran++;
    }
  }

  /**
   * Runs every task, moving time to the last due time, until none is left.
   *
   * @return how many tasks ran
   */
  public int runUntilIdle() {
    int ran = 0;
    while (true) {
      Duration until;
      synchronized (this) {
        Entry next = queue.peek();
        if (next == null) {
          return ran;
        }
        until = Duration.ofNanos(next.dueNanos - nowNanos);
      }
      ran += advance(until);
    }
  }

  private static final class Entry implements Comparable<Entry> {
    final long dueNanos;
    final long seq;
    final Runnable task;
    boolean cancelled;
    boolean started;

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
