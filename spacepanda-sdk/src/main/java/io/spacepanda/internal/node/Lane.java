package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
 *
 * <p>Logs: on a {@link LogTagged} executor, each drain (not each task) runs with the node's tag
 * under the MDC key {@link #MDC_NODE}, set only if the thread does not carry it already (the
 * node's own worker threads carry it from their start) and restored when the drain ends.
 */
final class Lane implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  /** The SLF4J MDC key under which the node's work logs its short peer id. */
  static final String MDC_NODE = "spacepanda.node";

  /**
   * The node's worker executor with the node's log tag: a lane on it sets the tag once per drain;
   * other tasks given to it directly run with the tag set around each one.
   */
  static final class LogTagged implements Executor {
    private final Executor delegate;
    private final String tag;

    /**
     * @param delegate the worker threads
     * @param tag the value of {@link #MDC_NODE} while the node's work runs
     */
    LogTagged(Executor delegate, String tag) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      this.tag = Objects.requireNonNull(tag, "tag");
    }

    @Override
    public void execute(Runnable task) {
      Objects.requireNonNull(task, "task");
      delegate.execute(() -> tagged(tag, task));
    }
  }

  /** Runs a task with the MDC tag set, unless the thread already carries it. */
  static void tagged(String tag, Runnable task) {
    String before = MDC.get(MDC_NODE);
    if (tag.equals(before)) {
      task.run();
      return;
    }
    MDC.put(MDC_NODE, tag);
    try {
      task.run();
    } finally {
      if (before == null) {
        MDC.remove(MDC_NODE);
      } else {
        MDC.put(MDC_NODE, before);
      }
    }
  }

  private final String name;
  private final ActorKind kind;
  private final Executor delegate;
  /** What the executor runs: {@link #drain()}, tagged for logs once per drain. */
  private final Runnable drainTask;
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
    Objects.requireNonNull(delegate, "delegate");
    Runnable plain = this::drain;
    if (delegate instanceof LogTagged t) {
      String nodeTag = t.tag;
      this.delegate = t.delegate;
      this.drainTask = () -> tagged(nodeTag, plain);
    } else {
      this.delegate = delegate;
      this.drainTask = plain;
    }
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
      delegate.execute(drainTask);
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
