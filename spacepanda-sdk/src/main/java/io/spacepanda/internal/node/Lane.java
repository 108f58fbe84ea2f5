package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial queue of one actor: runs its tasks one at a time, in the order they were queued, on a
 * shared executor.
 *
 * <p>Every piece of an actor's state is touched only by tasks of its lane, so the state needs no
 * lock. Lanes share the node's worker threads: two lanes run in parallel, one lane never does. On a
 * direct executor (virtual-time tests) the first caller drains the queue on its own thread, and a
 * task queued from inside a running task of the same lane runs after that task. Thread-safe. A
 * task that throws is logged and does not stop the tasks after it; once the executor refuses work
 * (node closed) queued tasks are dropped.
 */
final class Lane implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  private final String name;
  private final ActorKind kind;
  private final Executor delegate;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  /**
   * @param name a label for logs, e.g. the space id
   * @param kind the kind of actor it serves, for metrics
   * @param delegate the worker threads
   */
  Lane(String name, ActorKind kind, Executor delegate) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        tasks.clear();
        running = false;
      }
      LOG.debug("lane {} refused work: the node is closing", name);
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
        LOG.warn("a task of lane {} failed", name, e);
      }
    }
  }

  /** @return the kind of actor this lane serves */
  ActorKind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return "Lane[" + name + "]";
  }
}
