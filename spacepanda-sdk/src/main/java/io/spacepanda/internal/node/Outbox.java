package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.PeerId;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.StorageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable outbox: every copy of an envelope to one recipient is an {@link OutboxEntry}
 * written in the step that created it; once that step committed, the copy goes through the {@link
 * OutboundChain}; an acknowledged copy leaves the outbox, a failed one is retried with exponential
 * backoff (2 s doubling up to {@link #MAX_BACKOFF}) and given up after {@link #MAX_ATTEMPTS}.
 *
 * <p>It also tracks delivery progress of this node's messages (how many recipients acknowledged)
 * and records it in the message's delivery state. All of its state lives on its own lane; results
 * arrive from transport threads and are handed to the lane. After a restart, {@link #resendAll()}
 * schedules every entry {@link #load()} found at its next attempt time. It keeps the backlog gauge
 * of {@link NodeStats}: entries counted at load, added on dispatch, removed once acknowledged or
 * given up (after the step recording that committed).
 */
final class Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  /** Longest wait between two attempts of one copy. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Attempts after which a copy is given up. */
  static final int MAX_ATTEMPTS = 100;

  private final NodeContext ctx;
  private final OutboundChain chain;
  private final Lane lane;
  private final Map<Id, Delivery> deliveries = new HashMap<>();
  /** Copies taken back (a join that timed out): never sent again. Lane-confined. */
  private final Set<String> withdrawn = new HashSet<>();
  private volatile boolean closed;
  /** Entries stored before this start, until {@link #resendAll()} schedules them. */
  private volatile List<OutboxEntry> stored = List.of();

  /** Delivery progress of one of this node's messages. */
  static final class Delivery {
    final MessageId message;
    final int recipients;
    final Set<PeerId> acknowledged = new HashSet<>();

    Delivery(MessageId message, int recipients) {
      this.message = message;
      this.recipients = recipients;
    }
  }

  Outbox(NodeContext ctx, OutboundChain chain) {
    this.ctx = ctx;
    this.chain = chain;
    this.lane = new Lane("outbox", ActorKind.OUTBOX, ctx.workers);
  }

  /**
   * Records a copy in the step's transaction.
   *
   * @param step the step creating the copy
   * @param envelopeId the id the acknowledgement is recorded under (the message id for messages)
   * @param envelope the sealed bytes
   * @param to the recipient
   * @return the entry, to {@link #dispatch} after commit
   */
  OutboxEntry enqueue(Step step, Id envelopeId, byte[] envelope, PeerId to) {
    OutboxEntry e = new OutboxEntry(envelopeId, NodeContext.peerKey(to), envelope, ctx.now(), 0);
    step.write(t -> t.enqueueOutbox(e));
    return e;
  }

  /** Records a copy identified by the hash of its bytes. */
  OutboxEntry enqueue(Step step, byte[] envelope, PeerId to) {
    return enqueue(step, Id.of(NodeContext.sha256(envelope)), envelope, to);
  }

  /**
   * Sends committed entries through the chain; call after the step that wrote them committed.
   *
   * @param entries the entries
   * @param delivery the message they carry, tracked for progress, or null
   */
  void dispatch(List<OutboxEntry> entries, Delivery delivery) {
    if (entries.isEmpty()) {
      return;
    }
    ctx.stats.outboxBacklog.addAndGet(entries.size());
    List<OutboxEntry> copy = List.copyOf(entries);
    lane.execute(() -> {
      if (delivery != null) {
        deliveries.put(copy.get(0).envelopeId(), delivery);
      }
      for (OutboxEntry e : copy) {
        send(e);
      }
    });
  }

  /**
   * Takes a copy back: it leaves the outbox in the step's transaction and is never sent again.
   *
   * @param step the step
   * @param envelopeId the copy's id
   * @param to its recipient
   */
  void withdraw(Step step, Id envelopeId, PeerId to) {
    Id recipient = NodeContext.peerKey(to);
    step.write(t -> t.ackOutbox(envelopeId, recipient));
    String key = envelopeId + "/" + recipient;
    step.afterCommit(() -> lane.execute(() -> withdrawn.add(key)));
  }

  private void send(OutboxEntry e) {
    if (closed || (!withdrawn.isEmpty()
        && withdrawn.contains(e.envelopeId() + "/" + e.recipient()))) {
      return;
    }
    PeerId to = PeerId.fromBytes(e.recipient().toBytes());
    chain.send(new OutboundChain.Copy(to, e.payload(), e.attempts()))
        .whenComplete((v, err) -> {
          if (!closed) {
            ctx.steps.submit(lane, null, step -> {
              onResult(step, e, to, err);
              return null;
            });
          }
        });
  }

  private void onResult(Step step, OutboxEntry e, PeerId to, Throwable err) {
    Delivery d = deliveries.get(e.envelopeId());
    if (err == null) {
      boolean first = d != null && d.acknowledged.isEmpty();
      boolean last = d != null && !d.acknowledged.contains(to)
          && d.acknowledged.size() + 1 == d.recipients;
      step.write(t -> {
        t.ackOutbox(e.envelopeId(), e.recipient());
        if (last) {
          t.updateDeliveryState(e.envelopeId(), DeliveryState.DELIVERED);
        } else if (first) {
          t.updateDeliveryState(e.envelopeId(), DeliveryState.SENT);
        }
      });
      if (d != null && d.acknowledged.add(to)) {
        int n = d.acknowledged.size();
        step.event(l -> l.onDeliveryProgress(d.message, n, d.recipients));
        if (n == d.recipients) {
          deliveries.remove(e.envelopeId());
        }
      }
      step.afterCommit(() -> ctx.stats.copyDelivered(to));
      return;
    }
    int attempts = e.attempts() + 1;
    if (attempts >= MAX_ATTEMPTS) {
      step.write(t -> {
        t.ackOutbox(e.envelopeId(), e.recipient());
        if (d != null) {
          t.updateDeliveryState(e.envelopeId(), DeliveryState.FAILED);
        }
      });
      LOG.warn("gave up delivering an envelope to {} after {} attempts: {}", to, attempts,
          err.toString());
      step.afterCommit(() -> ctx.stats.copyFailed(to, attempts, false));
      if (d != null) {
        step.event(l -> l.onDeliveryFailed(d.message, to, err));
      }
      return;
    }
    Duration backoff = backoff(attempts);
    Instant next = ctx.now().plus(backoff);
    step.write(t -> t.rescheduleOutbox(e.envelopeId(), e.recipient(), next));
    OutboxEntry again = new OutboxEntry(e.envelopeId(), e.recipient(), e.payload(), next, attempts);
    step.afterCommit(() -> {
      ctx.stats.copyFailed(to, attempts, true);
      ctx.scheduler.schedule(backoff, () -> lane.execute(() -> send(again)));
    });
    LOG.debug("a copy to {} failed (attempt {}), retrying in {}", to, attempts, backoff);
    if (d != null) {
      step.event(l -> l.onDeliveryFailed(d.message, to, err));
    }
  }

  /**
   * Returns the wait before the next attempt.
   *
   * @param attempts attempts made so far, at least 1
   * @return 2^attempts seconds, at most {@link #MAX_BACKOFF}
   */
  static Duration backoff(int attempts) {
    long seconds = 1L << Math.min(Math.max(attempts, 0), 16);
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  /**
   * Reads every stored entry and counts it in the backlog gauge; at start, before any step runs.
   *
   * @throws StorageException if the outbox cannot be read
   */
  void load() throws StorageException {
    List<OutboxEntry> all = new ArrayList<>();
    ctx.storage.<Void, RuntimeException>inTransaction(t -> {
      all.addAll(t.dueOutbox(ctx.now().plus(Duration.ofDays(3650)), Integer.MAX_VALUE));
      return null;
    });
    stored = all;
    ctx.stats.outboxBacklog.set(all.size());
  }

  /** Schedules every entry {@link #load()} read at its next attempt time; after start. */
  void resendAll() {
    List<OutboxEntry> all = stored;
    stored = List.of();
    for (OutboxEntry e : all) {
      Duration wait = Duration.between(ctx.now(), e.nextAttemptAt());
      ctx.scheduler.schedule(wait.isNegative() ? Duration.ZERO : wait,
          () -> lane.execute(() -> send(e)));
    }
  }

  /** Stops sending and recording; queued copies stay stored for the next start. */
  void close() {
    closed = true;
  }
}
