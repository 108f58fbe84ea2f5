package io.spacepanda.internal.net.transport;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * Limits the envelope streams one sender has open to one peer at once, so that a burst of sends
 * stays within the receiver's per-connection limit instead of being reset by it; further sends
 * wait in a bounded queue, in order. Thread-safe (one lock).
 */
final class SendQueue {

  private final int maxInFlight;
  private final int maxQueued;
  private final Runnable onIdle;
  private final Deque<Runnable> waiting = new ArrayDeque<>(); // guarded by this
  private int inFlight; // guarded by this

  /**
   * Creates a queue.
   *
   * @param maxInFlight sends running at once
   * @param maxQueued sends waiting at most
   * @param onIdle runs (outside the lock) each time the last running send finished and none waits
   */
  SendQueue(int maxInFlight, int maxQueued, Runnable onIdle) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    this.onIdle = onIdle;
  }

  /**
   * Runs {@code start} now or once a slot frees; the slot is held until {@code done} completes.
   *
   * @param start opens the stream; skipped when {@code done} completed while it waited
   * @param done completes when the send finished, either way
   * @return {@code false} if the queue is full and {@code start} will never run
   */
  boolean submit(Runnable start, CompletableFuture<?> done) {
    Runnable task = () -> {
      done.whenComplete((v, e) -> release());
      if (!done.isDone()) {
        start.run();
      }
    };
    synchronized (this) {
      if (inFlight >= maxInFlight) {
        if (waiting.size() >= maxQueued) {
          return false;
        }
        waiting.add(task);
        return true;
      }
      inFlight++;
    }
    task.run();
    return true;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run();
    } else if (isIdle()) {
      onIdle.run();
    }
  }

  /**
   * Returns whether nothing runs or waits.
   *
   * @return {@code true} when idle
   */
  synchronized boolean isIdle() {
    return inFlight == 0 && waiting.isEmpty();
  }
}
