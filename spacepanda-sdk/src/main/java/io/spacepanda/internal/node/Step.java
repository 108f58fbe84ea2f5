package io.spacepanda.internal.node;

import io.spacepanda.SpacePandaListener;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What one actor step wants done: the writes of its single storage transaction, the listener
 * events it produced, and the work to run once those writes are durable (Briar's {@code
 * Transaction.attach}).
 *
 * <p>A step computes (MLS, HPKE) outside the transaction and records its writes here; {@link
 * StepRunner} then runs all of them in one transaction. If the step or the transaction fails,
 * nothing was written, no event fires, no after-commit work runs, and the actor goes back to its
 * stored state if the step {@linkplain #touch() touched} it. Confined to the lane running the step.
 */
final class Step {

  /** Work that runs inside the step's transaction. */
  @FunctionalInterface
  interface Write {
    /**
     * @param t the transaction
     * @throws StorageException if the store fails
     */
    void run(StorageTransaction t) throws StorageException;
  }

  private final List<Write> writes = new ArrayList<>();
  private final List<Consumer<SpacePandaListener>> events = new ArrayList<>();
  private final List<Runnable> afterCommit = new ArrayList<>();
  private final List<Runnable> onFailure = new ArrayList<>();
  private boolean touched;

  /** Records a write; the actor's memory now differs from storage until the step commits. */
  void write(Write w) {
    writes.add(Objects.requireNonNull(w, "write"));
    touched = true;
  }

  /** Marks that the actor's memory changed (an MLS ratchet advanced, an epoch merged). */
  void touch() {
    touched = true;
  }

  /** Queues a listener event, fired after commit in the order queued. */
  void event(Consumer<SpacePandaListener> e) {
    events.add(Objects.requireNonNull(e, "event"));
  }

  /** Queues work to run after commit (sending, hand-offs to other actors), in the order queued. */
  void afterCommit(Runnable r) {
    afterCommit.add(Objects.requireNonNull(r, "work"));
  }

  /** Queues work that undoes a side effect outside the actor (a dedup mark) if the step fails. */
  void onFailure(Runnable r) {
    onFailure.add(Objects.requireNonNull(r, "work"));
  }

  List<Runnable> onFailureWork() {
    return onFailure;
  }

  boolean touched() {
    return touched;
  }

  List<Write> writes() {
    return writes;
  }

  List<Consumer<SpacePandaListener>> events() {
    return events;
  }

  List<Runnable> afterCommitWork() {
    return afterCommit;
  }
}
