package io.spacepanda.internal.node;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in the order they were queued, on an underlying executor: the node's
 * ordered listener executor.
 *
 * <p>Queuing and running are separate steps: the node {@linkplain #enqueue queues} events while it
 * holds its lock, so their order is the order of its state changes, and {@linkplain #flush starts}
 * running them after it released the lock, so that a listener (even on a direct executor) never
 * runs inside the node's work. Thread-safe. A task that throws does not stop the tasks after it.
 */
final class SerialExecutor {

  private final Executor delegate;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** Queues a task without running it. */
  synchronized void enqueue(Runnable task) {
    tasks.add(Objects.requireNonNull(task, "task"));
  }

  /** Starts running the queued tasks unless they are already being run. */
  void flush() {
    synchronized (this) {
      if (running || tasks.isEmpty()) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RuntimeException e) {
      synchronized (this) {
        running = false;
      }
      throw e;
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        // the task logs its own failure; the next one runs regardless
        continue;
      }
    }
  }
}
