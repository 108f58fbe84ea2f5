package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.StorageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group envelopes that cannot be processed yet, kept durably and tried again when an epoch
 * changes: with jitter, a member can receive a message of the next epoch (or of a channel it is
 * about to join) before the commit or Welcome that opens it.
 *
 * <p>{@link #hold} records an envelope in the holding step's transaction (bounded: at most {@link
 * #MAX_PENDING} kept, none older than {@link #MAX_AGE}). Every {@link EventBus.EpochChanged},
 * {@link EventBus.GroupJoined} or {@link EventBus.HeldMayOpen} event starts a retry round on this service's lane: each kept
 * envelope goes through the {@link InboundRouter} again, and the step that processes it deletes
 * it. A round never overlaps another: an event during a round starts one more round after it,
 * instead of a recursive retry.
 */
final class PendingEnvelopes {

  private static final Logger LOG = LoggerFactory.getLogger(PendingEnvelopes.class);
  /** Most envelopes kept. */
  static final int MAX_PENDING = 1000;
  /** Oldest envelope kept. */
  static final Duration MAX_AGE = Duration.ofDays(7);

  private final NodeContext ctx;
  private final Lane lane;
  private InboundRouter router;
  private boolean running;
  private boolean again;

  PendingEnvelopes(NodeContext ctx) {
    this.ctx = ctx;
    this.lane = new Lane("pending", ActorKind.NODE, ctx.workers);
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.EpochChanged || e instanceof EventBus.GroupJoined
          || e instanceof EventBus.HeldMayOpen) {
        retry();
      }
    });
  }

  void router(InboundRouter r) {
    this.router = r;
  }

  /**
   * Keeps an envelope in the step's transaction.
   *
   * @param s the step
   * @param ctx the node
   * @param envelope the envelope
   */
  static void hold(Step s, NodeContext ctx, byte[] envelope) {
    hold(s, ctx, Id.of(NodeContext.sha256(envelope)), envelope);
  }

  /** Keeps an envelope whose id (the SHA-256 of its bytes) the caller already computed. */
  static void hold(Step s, NodeContext ctx, Id id, byte[] envelope) {
    Instant now = ctx.now();
    PendingEnvelope p = new PendingEnvelope(id, envelope, now);
    long[] rows = new long[1];
    s.write(t -> {
      rows[0] = (t.addPendingEnvelope(p) ? 1 : 0)
          - t.prunePendingEnvelopes(MAX_PENDING, now.minus(MAX_AGE));
    });
    s.afterCommit(() -> ctx.stats.envelopeHeld(rows[0]));
  }

  /**
   * Deletes a held envelope in the step's transaction.
   *
   * @param s the step
   * @param ctx the node
   * @param pendingId its id among the held envelopes
   */
  static void delete(Step s, NodeContext ctx, Id pendingId) {
    boolean[] deleted = new boolean[1];
    s.write(t -> deleted[0] = t.deletePendingEnvelope(pendingId));
    s.afterCommit(() -> {
      if (deleted[0]) {
        ctx.stats.held.decrementAndGet();
      }
    });
  }

  /**
   * Sets the held-envelopes gauge from the table; at start, before any step runs.
   *
   * @throws StorageException if the table cannot be read
   */
  void loadCount() throws StorageException {
    int n = ctx.storage.<Integer, RuntimeException>inTransaction(t -> t.pendingEnvelopes().size());
    ctx.stats.held.set(n);
  }

  /** Starts a retry round, or one more after the running one. */
  void retry() {
    lane.execute(() -> {
      if (running) {
        again = true;
        return;
      }
      running = true;
      round();
    });
  }

  private void round() {
    List<PendingEnvelope> kept = new ArrayList<>();
    try {
      ctx.storage.<Void, RuntimeException>inTransaction(t -> {
        kept.addAll(t.pendingEnvelopes());
        return null;
      });
    } catch (StorageException e) {
      ctx.stats.storageFailed("reading the held envelopes", e);
      finish();
      return;
    } catch (IllegalStateException e) {
      LOG.debug("could not read held envelopes: {}", e.getMessage());
      finish();
      return;
    }
    java.util.Set<Id> ids = new java.util.HashSet<>();
    for (PendingEnvelope p : kept) {
      ids.add(p.envelopeId());
    }
    router.reconcile(ids);
    List<CompletableFuture<InboundRouter.Outcome>> all = new ArrayList<>();
    for (PendingEnvelope p : kept) {
      all.add(router.retry(p.envelopeId(), p.envelope()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete((v, e) -> lane.execute(this::finish));
  }

  private void finish() {
    if (again) {
      again = false;
      round();
    } else {
      running = false;
    }
  }
}
