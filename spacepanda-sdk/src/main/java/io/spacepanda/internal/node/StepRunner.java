package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs actor steps: each on its actor's lane, its writes in one storage transaction, then its
 * events and after-commit work, then its future.
 *
 * <p>Order after a successful commit: the owner's {@link Owner#stepCommitted()} (views refreshed),
 * the after-commit work (sends, hand-offs), the events queued on the listener executor, the
 * future. A future therefore
 * completes only when the step's effect is durable. On failure nothing is written, the owner
 * {@linkplain Owner#rollBack() goes back} to its stored state if the step touched it, and the
 * future fails with the cause. Thread-safe.
 */
final class StepRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

  /** The body of a step. */
  @FunctionalInterface
  interface Work<T> {
    /**
     * @param step where the step records writes, events and after-commit work
     * @return the step's result
     * @throws Exception any failure; nothing is written then
     */
    T run(Step step) throws Exception;
  }

  /** The actor a step belongs to. */
  interface Owner {
    /** Replaces the actor's memory with what storage holds, after a failed step. */
    void rollBack();

    /** Called on the lane after each committed step, before its events fire. */
    void stepCommitted();
  }

  private final Storage storage;
  private final SerialExecutor events;
  private final SpacePandaListener listener;
  private final NodeStats stats;

  StepRunner(Storage storage, SerialExecutor events, SpacePandaListener listener,
      NodeStats stats) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.events = Objects.requireNonNull(events, "events");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.stats = Objects.requireNonNull(stats, "stats");
  }

  /**
   * Queues a step on a lane.
   *
   * @param lane the actor's lane
   * @param owner the actor, or null for node-wide steps with nothing to roll back
   * @param work the step
   * @return completes with the step's result once it is durable
   */
  <T> CompletableFuture<T> submit(Lane lane, Owner owner, Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    lane.execute(() -> runNow(lane.kind(), owner, work, result));
    return result;
  }

  /**
   * Runs a step on the current thread, which must be the actor's lane.
   *
   * @param kind the kind of actor, for metrics
   * @param owner the actor, or null
   * @param work the step
   * @param result completed with the step's result once it is durable
   */
  <T> void runNow(ActorKind kind, Owner owner, Work<T> work, CompletableFuture<T> result) {
    long started = System.nanoTime();
    Step step = new Step();
    T value;
    try {
      value = work.run(step);
      if (!step.writes().isEmpty()) {
        storage.<Void, RuntimeException>inTransaction(t -> {
          for (Step.Write w : step.writes()) {
            w.run(t);
          }
          return null;
        });
      }
    } catch (Throwable e) {
      if (e instanceof StorageException se) {
        stats.storageFailed(stepName(kind), se);
      }
      for (Runnable r : step.onFailureWork()) {
        r.run();
      }
      if (step.touched() && owner != null) {
        owner.rollBack();
      }
      result.completeExceptionally(e);
      return;
    }
    if (owner != null) {
      owner.stepCommitted();
    }
    stats.stepCommitted(kind, System.nanoTime() - started);
    for (Runnable r : step.afterCommitWork()) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("after-commit work failed", e);
      }
    }
    fire(step);
    result.complete(value);
  }

  private static String stepName(ActorKind kind) {
    return switch (kind) {
      case SPACE -> "a space step";
      case NODE -> "a node step";
      case OUTBOX -> "an outbox step";
    };
  }

  private void fire(Step step) {
    if (step.events().isEmpty()) {
      return;
    }
    for (Consumer<SpacePandaListener> e : step.events()) {
      events.enqueue(() -> {
        try {
          e.accept(listener);
        } catch (RuntimeException ex) {
          LOG.warn("listener threw; skipped", ex);
        }
      });
    }
    events.flush();
  }

  /**
   * Fires one event outside any step (peer connected or lost).
   *
   * @param e the event
   */
  void fireNow(Consumer<SpacePandaListener> e) {
    Step s = new Step();
    s.event(e);
    fire(s);
  }
}
