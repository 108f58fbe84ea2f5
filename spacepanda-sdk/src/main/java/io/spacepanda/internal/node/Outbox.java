package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.PeerId;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.RecipientCounts;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable outbox: every copy of an envelope to one recipient is an {@link OutboxEntry}
 * written in the step that created it; once that step committed, the copy goes through the {@link
 * OutboundChain}; an acknowledged copy leaves the outbox, a failed one is retried with exponential
 * backoff (2 s doubling up to {@link #MAX_BACKOFF}) and given up once it is older than the node's
 * delivery horizon (measured from its {@code enqueuedAt}; the last attempt is made at the horizon).
 *
 * <p>Delivery state. For each of this node's messages the step that stores it also stores a
 * {@link RecipientState#PENDING} per recipient ({@link #enqueueMessage}); the step that
 * acknowledges or gives up a copy moves its recipient to {@link RecipientState#DELIVERED} or
 * {@link RecipientState#FAILED} and derives the message's {@link DeliveryState} from the stored
 * states, so both are right after a restart. It reads that recipient's state and the message's
 * counts per state ({@link StorageTransaction#recipientCounts}), never every recipient's state:
 * settling all copies of a message to n recipients costs O(n), not O(n²). {@code onDeliveryProgress} counts from storage, and
 * {@code onDeliveryFailed} fires once per recipient, when its copy is given up; retries only log.
 * The states of a message every recipient acknowledged are deleted (its DELIVERED says it all).
 *
 * <p>Resending. A copy waiting for its backoff is sent at once when its recipient connects
 * ({@link #peerConnected}). After a restart, {@link #resendAll()} queues the stored copies per
 * recipient at once (stored retry times are stale after this node was away), in
 * the order they were enqueued ({@code enqueuedAt}, then envelope id; {@code enqueuedAt} is
 * strictly increasing between steps of this node, so copies of one step share it) and releases at
 * most {@link #RESEND_WINDOW} of them per recipient at a time, each next one when an earlier one
 * completes; the chain's per-recipient window then hands them to the transport in that order.
 * Resent copies count as retries, so the chain does not jitter them again.
 *
 * <p>Threading: results arrive from transport threads and are handed to the outbox's own lane;
 * the resend queues are confined to that lane.
 */
final class Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  /** Longest wait between two attempts of one copy. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Copies per recipient released at once when resending after a restart. */
  static final int RESEND_WINDOW = NodeRuntime.MAX_COPIES_IN_FLIGHT_PER_PEER;

  private final NodeContext ctx;
  private final OutboundChain chain;
  private final Lane lane;
  private final Duration horizon;
  /** Stored copies per recipient waiting to be resent, in enqueue order; on the lane. */
  private final Map<PeerId, ArrayDeque<OutboxEntry>> resends = new HashMap<>();
  /** Resent copies per recipient not completed yet; on the lane. */
  private final Map<PeerId, Integer> resending = new HashMap<>();
  private Step stampStep;
  private long stampMillis = Long.MIN_VALUE;
  private volatile boolean closed;
  /** Copies waiting for their backoff, per recipient, by envelope id; on the lane. */
  private final Map<PeerId, Map<Id, OutboxEntry>> waiting = new HashMap<>();
  /** Entries stored before this start, until {@link #resendAll()} queues them. */
  private volatile List<OutboxEntry> stored = List.of();
  /** Told of the first failed attempt of a copy (the mailbox hand-off); set before start. */
  private volatile java.util.function.BiConsumer<PeerId, byte[]> firstFailure = (p, b) -> { };
  /** Copies pushed for others from a mailbox: not deposited again. Lane-confined. */
  private final java.util.Set<String> relayed = new java.util.HashSet<>();
  /**
   * Copies taken back (a join that timed out) while in flight or queued: never sent again. Each
   * key leaves when a queued copy is skipped or an in-flight one completes; one whose copy does
   * neither (its completion ran first) leaves a delivery horizon after it was taken back, and at
   * most {@link #MAX_WITHDRAWN} are kept (the oldest leave first). Lane-confined; oldest first.
   */
  private final java.util.LinkedHashMap<String, Instant> withdrawn = new java.util.LinkedHashMap<>();

  /** Keys of withdrawn copies kept at most. */
  static final int MAX_WITHDRAWN = 4096;

  /** What a step that settled one recipient's copy found, for the events after commit. */
  private static final class Settled {
    boolean tracked;
    int delivered;
    int recipients;
  }

  Outbox(NodeContext ctx, OutboundChain chain) {
    this.ctx = ctx;
    this.chain = chain;
    this.lane = new Lane("outbox", ActorKind.OUTBOX, ctx.workers);
    this.horizon = ctx.config.deliveryHorizon();
  }

  /**
   * Returns the enqueue time of the copies of one step: the clock's time, but strictly later than
   * that of any earlier step, so that resends keep the order in which steps enqueued.
   */
  private synchronized Instant stamp(Step step) {
    if (step != stampStep) {
      stampStep = step;
      stampMillis = Math.max(ctx.now().toEpochMilli(), stampMillis + 1);
    }
    return Instant.ofEpochMilli(stampMillis);
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
    OutboxEntry e = new OutboxEntry(envelopeId, NodeContext.peerKey(to), envelope, ctx.now(), 0,
        stamp(step));
    step.write(t -> t.enqueueOutbox(e));
    return e;
  }

  /** Records a copy identified by the hash of its bytes. */
  OutboxEntry enqueue(Step step, byte[] envelope, PeerId to) {
    return enqueue(step, Id.of(NodeContext.sha256(envelope)), envelope, to);
  }

  /**
   * Records the copies of one of this node's messages and a {@link RecipientState#PENDING} state
   * per recipient in the step's transaction, so that its delivery is tracked durably.
   *
   * @param step the step storing the message
   * @param messageId the message id, the copies' envelope id
   * @param envelope the sealed bytes
   * @param recipients the recipients, not empty
   * @return the entries, to {@link #dispatch} after commit
   */
  List<OutboxEntry> enqueueMessage(Step step, Id messageId, byte[] envelope,
      Collection<PeerId> recipients) {
    List<OutboxEntry> out = new ArrayList<>(recipients.size());
    Instant now = ctx.now();
    Instant stamp = stamp(step);
    for (PeerId r : recipients) {
      out.add(new OutboxEntry(messageId, NodeContext.peerKey(r), envelope, now, 0, stamp));
    }
    // one write for every copy and state of the message, in the step's one transaction
    step.write(t -> {
      for (OutboxEntry e : out) {
        t.enqueueOutbox(e);
        t.putRecipientState(messageId, e.recipient(), RecipientState.PENDING);
      }
    });
    return out;
  }

  /**
   * Sends committed entries through the chain; call after the step that wrote them committed.
   *
   * @param entries the entries
   */
  void dispatch(List<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    ctx.stats.outboxBacklog.addAndGet(entries.size());
    List<OutboxEntry> copy = List.copyOf(entries);
    lane.execute(() -> {
      for (OutboxEntry e : copy) {
        send(e, false);
      }
    });
  }

  /**
   * Sets who is told, after commit, when a copy failed its first attempt (its recipient is
   * probably unreachable): the {@link Mailbox} hands it to holders.
   *
   * @param hook gets the recipient and the sealed envelope; must not block
   */
  void onFirstFailure(java.util.function.BiConsumer<PeerId, byte[]> hook) {
    firstFailure = java.util.Objects.requireNonNull(hook, "hook");
  }

  /**
   * Sends committed entries to one recipient in the given order, paced by the resend window and
   * without jitter (a mailbox pushing what it kept); call after the step that wrote them committed.
   *
   * @param to the recipient of every entry
   * @param entries the entries, in the order to send them
   */
  void dispatchInOrder(PeerId to, List<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    ctx.stats.outboxBacklog.addAndGet(entries.size());
    List<OutboxEntry> copy = List.copyOf(entries);
    lane.execute(() -> {
      for (OutboxEntry e : copy) {
        relayed.add(e.envelopeId() + "/" + e.recipient());
      }
      resends.computeIfAbsent(to, k -> new ArrayDeque<>()).addAll(copy);
      releaseResends(to);
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
    boolean[] removed = new boolean[1];
    step.write(t -> removed[0] = t.ackOutbox(envelopeId, recipient));
    String key = envelopeId + "/" + recipient;
    step.afterCommit(() -> {
      if (!removed[0]) {
        // already acknowledged or given up: its completion counted it, nothing left to send
        return;
      }
      lane.execute(() -> {
        Map<Id, OutboxEntry> m = waiting.get(to);
        if (m != null && m.remove(envelopeId) != null) {
          // waiting for its backoff: taken out here, so it leaves the backlog here
          ctx.stats.outboxBacklog.decrementAndGet();
          if (m.isEmpty()) {
            waiting.remove(to);
          }
          return;
        }
        // in flight: its completion counts it; still queued: send() skips and counts it
        pruneWithdrawn();
        withdrawn.put(key, ctx.now());
      });
    });
  }

  /** Forgets withdrawn keys older than the horizon (no copy left), and the oldest beyond the bound. */
  private void pruneWithdrawn() {
    Instant cutoff = ctx.now().minus(horizon);
    java.util.Iterator<Instant> it = withdrawn.values().iterator();
    while (it.hasNext() && (!it.next().isAfter(cutoff) || withdrawn.size() >= MAX_WITHDRAWN)) {
      it.remove();
    }
  }

  /** @return completes with the keys of withdrawn copies kept, read on the lane; for tests */
  java.util.concurrent.CompletableFuture<Integer> withdrawnCount() {
    var f = new java.util.concurrent.CompletableFuture<Integer>();
    lane.execute(() -> f.complete(withdrawn.size()));
    return f;
  }

  /** Sends one copy; on the lane. A resent copy goes out as a retry, without jitter. */
  private void send(OutboxEntry e, boolean resent) {
    if (closed) {
      return;
    }
    if (!withdrawn.isEmpty() && withdrawn.remove(e.envelopeId() + "/" + e.recipient()) != null) {
      // taken back before it left: it never completes, so it leaves the backlog here
      ctx.stats.outboxBacklog.decrementAndGet();
      if (resent) {
        PeerId peer = PeerId.fromBytes(e.recipient().toBytes());
        resending.merge(peer, -1, Integer::sum);
      }
      return;
    }
    PeerId to = PeerId.fromBytes(e.recipient().toBytes());
    int attempt = resent ? Math.max(1, e.attempts()) : e.attempts();
    chain.send(new OutboundChain.Copy(to, e.payload(), attempt))
        .whenComplete((v, err) -> {
          if (!closed) {
            ctx.steps.submit(lane, null, step -> {
              onResult(step, e, to, err, resent);
              return null;
            });
          }
        });
  }

  private void onResult(Step step, OutboxEntry e, PeerId to, Throwable err, boolean resent) {
    if (!withdrawn.isEmpty()) {
      // an in-flight copy taken back has completed: nothing of it is left to skip
      withdrawn.remove(e.envelopeId() + "/" + e.recipient());
      pruneWithdrawn();
    }
    if (resent) {
      resending.merge(to, -1, Integer::sum);
      lane.execute(() -> releaseResends(to));
    }
    Id id = e.envelopeId();
    Settled settled = new Settled();
    boolean wasRelayed = false;
    if (!relayed.isEmpty()) {
      // the key is hex text: built only when a mailbox pushed copies (not per acknowledgement)
      String key = id + "/" + e.recipient();
      wasRelayed = relayed.contains(key);
      if (err == null || !ctx.now().isBefore(e.enqueuedAt().plus(horizon))) {
        relayed.remove(key);
      }
    }
    if (err == null) {
      step.write(t -> {
        t.ackOutbox(id, e.recipient());
        settle(t, id, e.recipient(), RecipientState.DELIVERED, settled);
      });
      step.event(l -> {
        if (settled.tracked) {
          l.onDeliveryProgress(MessageId.of(id.toBytes()), settled.delivered,
              settled.recipients);
        }
      });
      step.afterCommit(() -> ctx.stats.copyDelivered(to));
      return;
    }
    int attempts = e.attempts() + 1;
    Instant now = ctx.now();
    Instant deadline = e.enqueuedAt().plus(horizon);
    if (!now.isBefore(deadline)) {
      step.write(t -> {
        t.ackOutbox(id, e.recipient());
        settle(t, id, e.recipient(), RecipientState.FAILED, settled);
      });
      LOG.warn("gave up delivering an envelope to {} after {} attempts over {}: {}", to,
          attempts, Duration.between(e.enqueuedAt(), now), err.toString());
      step.event(l -> {
        if (settled.tracked) {
          l.onDeliveryFailed(MessageId.of(id.toBytes()), to, err);
        }
      });
      step.afterCommit(() -> ctx.stats.copyFailed(to, attempts, false));
      return;
    }
    Duration backoff = backoff(attempts);
    Instant next = now.plus(backoff);
    if (next.isAfter(deadline)) {
      next = deadline;
      backoff = Duration.between(now, deadline);
    }
    Instant at = next;
    Duration wait = backoff;
    boolean[] kept = new boolean[1];
    step.write(t -> kept[0] = t.rescheduleOutbox(id, e.recipient(), at));
    OutboxEntry again = new OutboxEntry(id, e.recipient(), e.payload(), at, attempts,
        e.enqueuedAt());
    boolean first = e.attempts() == 0 && !wasRelayed;
    step.afterCommit(() -> {
      if (!kept[0]) {
        // settled meanwhile (the recipient said it holds the message): not retried
        ctx.stats.copyFailed(to, attempts, false);
        return;
      }
      ctx.stats.copyFailed(to, attempts, true);
      if (first) {
        firstFailure.accept(to, e.payload());
      }
      lane.execute(() -> waitFor(to, again));
      ctx.scheduler.schedule(wait, () -> lane.execute(() -> {
        if (takeWaiting(to, again)) {
          send(again, false);
        }
      }));
    });
    LOG.debug("a copy to {} failed (attempt {}), retrying in {}: {}", to, attempts, wait,
        err.toString());
  }

  /**
   * A recipient holds one of this node's messages without having acknowledged a copy of this
   * node's (a mailbox or another member delivered it, and its sync summary says so): its copy
   * leaves the outbox, its state becomes {@link RecipientState#DELIVERED} and {@code
   * onDeliveryProgress} fires, in the step's transaction; nothing if its state is not pending.
   *
   * @param step the step
   * @param messageId the message id (the copies' envelope id)
   * @param to the recipient
   */
  void deliveredElsewhere(Step step, Id messageId, PeerId to) {
    Id recipient = NodeContext.peerKey(to);
    Settled settled = new Settled();
    step.write(t -> {
      if (t.recipientState(messageId, recipient).orElse(null) == RecipientState.PENDING) {
        t.ackOutbox(messageId, recipient);
        settle(t, messageId, recipient, RecipientState.DELIVERED, settled);
      }
    });
    step.event(l -> {
      if (settled.tracked) {
        l.onDeliveryProgress(MessageId.of(messageId.toBytes()), settled.delivered,
            settled.recipients);
      }
    });
    step.afterCommit(() -> {
      if (settled.tracked) {
        lane.execute(() -> {
          Map<Id, OutboxEntry> m = waiting.get(to);
          if (m != null && m.remove(messageId) != null) {
            // it was waiting for its backoff, not in flight: nothing else will count it
            ctx.stats.outboxBacklog.decrementAndGet();
            if (m.isEmpty()) {
              waiting.remove(to);
            }
          }
        });
      }
    });
  }

  /**
   * Moves a recipient's pending copy of a message to a final state and derives the message's
   * delivery state from the stored recipient states; nothing for envelopes that are not tracked
   * messages or recipients already final.
   */
  private static void settle(StorageTransaction t, Id messageId, Id recipient,
      RecipientState outcome, Settled settled) throws StorageException {
    // one state and the counts, not every state: a message to n recipients settles in O(n)
    if (t.recipientState(messageId, recipient).orElse(null) != RecipientState.PENDING) {
      return;
    }
    RecipientCounts counts = t.recipientCounts(messageId);
    int recipients = counts.total();
    int pending = counts.pending();
    int delivered = counts.delivered();
    int failed = counts.failed();
    DeliveryState before = derive(pending, delivered, failed);
    pending--;
    if (outcome == RecipientState.DELIVERED) {
      delivered++;
    } else {
      failed++;
    }
    DeliveryState after = derive(pending, delivered, failed);
    t.putRecipientState(messageId, recipient, outcome);
    if (after != before) {
      t.updateDeliveryState(messageId, after);
    }
    if (after == DeliveryState.DELIVERED) {
      t.deleteRecipientStates(messageId);
    }
    settled.tracked = true;
    settled.delivered = delivered;
    settled.recipients = recipients;
  }

  /**
   * Returns the delivery state of a message from the counts of its recipient states.
   *
   * @return QUEUED while none acknowledged and some are pending, SENT once one acknowledged and
   *     some are pending, DELIVERED when all acknowledged, FAILED when none is pending and one
   *     was given up
   */
  static DeliveryState derive(int pending, int delivered, int failed) {
    if (pending > 0) {
      return delivered > 0 ? DeliveryState.SENT : DeliveryState.QUEUED;
    }
    return failed > 0 ? DeliveryState.FAILED : DeliveryState.DELIVERED;
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
   * Queues every stored entry for resending at once, per recipient in enqueue order; after start.
   *
   * @see #load()
   */
  void resendAll() {
    List<OutboxEntry> all = new ArrayList<>(stored);
    stored = List.of();
    all.sort(Comparator.comparing(OutboxEntry::enqueuedAt)
        .thenComparing(OutboxEntry::envelopeId));
    Map<PeerId, List<OutboxEntry>> byRecipient = new LinkedHashMap<>();
    for (OutboxEntry e : all) {
      byRecipient.computeIfAbsent(PeerId.fromBytes(e.recipient().toBytes()),
          k -> new ArrayList<>()).add(e);
    }
    // After a restart the stored retry times say nothing about the peers any more (this node
    // was away, they may have come back): every recipient's copies start at once, paced by the
    // window; a recipient still away sends them back into backoff one by one.
    for (Map.Entry<PeerId, List<OutboxEntry>> r : byRecipient.entrySet()) {
      PeerId to = r.getKey();
      List<OutboxEntry> queue = r.getValue();
      lane.execute(() -> {
        resends.computeIfAbsent(to, k -> new ArrayDeque<>()).addAll(queue);
        releaseResends(to);
      });
    }
  }

  /** Remembers a copy waiting for its backoff to end; on the lane. */
  private void waitFor(PeerId to, OutboxEntry e) {
    waiting.computeIfAbsent(to, k -> new LinkedHashMap<>()).put(e.envelopeId(), e);
  }

  /** Takes a waiting copy out; false if it was already sent early (peer connected). */
  private boolean takeWaiting(PeerId to, OutboxEntry e) {
    Map<Id, OutboxEntry> m = waiting.get(to);
    if (m == null || m.remove(e.envelopeId()) == null) {
      return false;
    }
    if (m.isEmpty()) {
      waiting.remove(to);
    }
    return true;
  }

  /**
   * A peer connected: its copies waiting for their backoff are sent now, in enqueue order (a
   * peer that comes back should not wait up to {@link #MAX_BACKOFF} for what it missed).
   *
   * @param peer the peer
   */
  void peerConnected(PeerId peer) {
    lane.execute(() -> {
      Map<Id, OutboxEntry> m = waiting.remove(peer);
      if (m == null) {
        return;
      }
      List<OutboxEntry> due = new ArrayList<>(m.values());
      due.sort(Comparator.comparing(OutboxEntry::enqueuedAt)
          .thenComparing(OutboxEntry::envelopeId));
      for (OutboxEntry e : due) {
        send(e, false);
      }
    });
  }

  /**
   * Reads every stored entry and counts it in the backlog gauge; at start, before any step runs.
   *
   * @throws StorageException if the outbox cannot be read
   */
  void load() throws StorageException {
    List<OutboxEntry> all = new ArrayList<>();
    ctx.storage.<Void, RuntimeException>inTransaction(t -> {
      all.addAll(t.dueOutbox(Instant.ofEpochMilli(Long.MAX_VALUE), Integer.MAX_VALUE));
      return null;
    });
    stored = all;
    ctx.stats.outboxBacklog.set(all.size());
  }

  /** @return the envelope ids of the entries read by {@link #load()} and not yet resent */
  java.util.Set<Id> storedEnvelopeIds() {
    java.util.Set<Id> ids = new java.util.HashSet<>();
    for (OutboxEntry e : stored) {
      ids.add(e.envelopeId());
    }
    return ids;
  }

  /** Sends queued resends to one recipient while fewer than the window are in flight; on the lane. */
  private void releaseResends(PeerId to) {
    ArrayDeque<OutboxEntry> queue = resends.get(to);
    if (queue == null) {
      return;
    }
    int inFlight = resending.getOrDefault(to, 0);
    while (inFlight < RESEND_WINDOW && !queue.isEmpty() && !closed) {
      inFlight++;
      resending.put(to, inFlight);
      send(queue.poll(), true);
      inFlight = resending.getOrDefault(to, 0);
    }
    if (queue.isEmpty()) {
      resends.remove(to);
    }
    if (resending.getOrDefault(to, 0) <= 0) {
      resending.remove(to);
    }
  }

  /** Stops sending and recording; queued copies stay stored for the next start. */
  void close() {
    closed = true;
  }
}
