package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.envelope.EnvelopeException;
import io.spacepanda.internal.envelope.SealedEnvelope;
import io.spacepanda.internal.net.host.ResourceLimitException;
import io.spacepanda.internal.net.host.ResourceManager;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.TransportListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stop of every inbound envelope, on the transport's thread: classify it (direct or
 * group), drop duplicates, find the group by its tag, and hand it to the actor that owns it. It
 * never runs MLS, HPKE or storage itself.
 *
 * <p>Group envelopes go to their space's lane; envelopes whose tag matches no group are held
 * (through {@link PendingEnvelopes}) on the node lane; direct envelopes are opened (HPKE) on the
 * node lane and their node message goes to the handler registered for its type, like a protocol
 * handler. The returned future, and so the transport's acknowledgement, completes once the
 * envelope is durably applied, held or dropped; it fails only when storage failed, so that the
 * sender tries again. Thread-safe.
 */
final class InboundRouter implements TransportListener {

  private static final Logger LOG = LoggerFactory.getLogger(InboundRouter.class);

  /** What became of an inbound envelope. */
  enum Outcome { DONE, HELD, DROPPED }

  /** Handles one type of node message; runs on the node lane. */
  @FunctionalInterface
  interface DirectHandler {
    /**
     * @param msg the message
     * @return completes when it is durably handled
     * @throws Exception a failure; dropped unless it is a storage failure
     */
    CompletableFuture<Void> handle(NodeWire.Msg msg) throws Exception;
  }

  private final NodeContext ctx;
  private final Lane nodeLane;
  private final Map<Class<? extends NodeWire.Msg>, DirectHandler> handlers =
      new ConcurrentHashMap<>();
  private volatile boolean open = true;
  private volatile PendingEnvelopes pending;
  /** Most envelopes of unknown groups held at once, and per connection peer. */
  static final int MAX_UNKNOWN_HELD = 256;
  static final int MAX_UNKNOWN_HELD_PER_PEER = 64;
  /** Stands for the sender of held envelopes whose connection peer is not known. */
  private static final PeerId ANONYMOUS = PeerId.fromPublicKey(new byte[32]);
  /** Held envelopes of unknown groups by id, with who sent them; node-lane confined. */
  private final Map<Id, PeerId> unknownOwners = new java.util.HashMap<>();
  private final Map<PeerId, Integer> unknownByPeer = new java.util.HashMap<>();
  /** Wasted work per connection peer, and the throttle. */
  private final PeerWork work;
  /** Direct envelopes queued for their HPKE open, per connection peer. */
  private final PeerSlots opening = new PeerSlots(MAX_OPENING_PER_PEER, MAX_OPENING);
  /** Most direct envelopes of one connection peer queued for their HPKE open at once. */
  static final int MAX_OPENING_PER_PEER = 64;
  /** Most direct envelopes queued for their HPKE open at once, all peers. */
  static final int MAX_OPENING = 1024;
  /** Limits of the mailbox and sync protocols per connection peer (issue 14). */
  private final DirectBudgets budgets = new DirectBudgets();
  /** The connection peer of the direct envelope being dispatched; node-lane confined. */
  private PeerId dispatching;

  InboundRouter(NodeContext ctx, Lane nodeLane) {
    this(ctx, nodeLane, PeerWork.DEFAULT_CAPACITY, PeerWork.DEFAULT_DRAIN_PER_SECOND);
  }

  InboundRouter(NodeContext ctx, Lane nodeLane, long workCapacity, long workDrainPerSecond) {
    this.ctx = ctx;
    this.nodeLane = nodeLane;
    this.work = new PeerWork(workCapacity, workDrainPerSecond, () -> ctx.now().toEpochMilli(),
        ctx.stats::peerThrottled);
  }

  /** Returns the ledger of wasted work per peer (for tests). */
  PeerWork work() {
    return work;
  }

  /** Sets the held envelopes to retry when one held here turns out to open already. */
  void pending(PendingEnvelopes p) {
    this.pending = p;
  }

  /** Registers the handler of one node message type. */
  void handle(Class<? extends NodeWire.Msg> type, DirectHandler handler) {
    handlers.put(type, handler);
  }

  /** Stops handing envelopes on; later ones are acknowledged and ignored. */
  void close() {
    open = false;
  }

  @Override
  public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
    if (!open) {
      return CompletableFuture.completedFuture(null);
    }
    ctx.stats.envelopeReceived(envelope.length);
    if (work.throttled(connectionPeer)) {
      // refused before any work: not acknowledged, so an honest sender tries again later
      ctx.drop(DropReason.THROTTLED, "connection peer throttled");
      return CompletableFuture.failedFuture(new RefusedException("peer throttled for wasted work"));
    }
    long[] cost = {PeerWork.LOOKUP};
    return route(envelope, null, connectionPeer, cost).whenComplete((o, e) -> {
      // dropped, or refused over the held-envelope quota (junk no seal opens is held, not
      // dropped, since the kind is not visible outside the seal): the work was wasted
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (o == Outcome.DROPPED || cause instanceof RefusedException) {
        work.charge(connectionPeer, cost[0]);
      }
    }).thenApply(o -> null);
  }

  @Override
  public void onPeerConnected(PeerId peer) {
    LOG.debug("connected to {}", peer);
    ctx.stats.peerConnected(peer);
    ctx.steps.fireNow(l -> l.onPeerConnected(peer));
    ctx.bus.publish(new EventBus.PeerConnected(peer));
  }

  @Override
  public void onPeerLost(PeerId peer) {
    LOG.info("lost the connection to {}", peer);
    ctx.stats.peerLost(peer);
    ctx.steps.fireNow(l -> l.onPeerLost(peer));
    ctx.bus.publish(new EventBus.PeerLost(peer));
  }

  /**
   * Routes a held envelope again; the step that processes it deletes it from the held ones.
   *
   * @param pendingId its id among the held envelopes
   * @param envelope the bytes
   * @return what became of it
   */
  CompletableFuture<Outcome> retry(Id pendingId, byte[] envelope) {
    return route(envelope, pendingId, null, new long[1]).whenComplete((o, e) -> {
      if (o != null && o != Outcome.HELD) {
        nodeLane.execute(() -> release(pendingId));
      }
    });
  }

  /**
   * Forgets the quota of held envelopes that are no longer stored (processed, or pruned by age or
   * count); called by {@link PendingEnvelopes} after each retry round with the ids still held.
   *
   * @param stillHeld the ids of the envelopes held now
   */
  void reconcile(java.util.Set<Id> stillHeld) {
    nodeLane.execute(() -> {
      for (Id id : List.copyOf(unknownOwners.keySet())) {
        if (!stillHeld.contains(id)) {
          release(id);
        }
      }
    });
  }

  /** Frees the quota of one held envelope of an unknown group; on the node lane. */
  private void release(Id pendingId) {
    PeerId owner = unknownOwners.remove(pendingId);
    if (owner != null) {
      unknownByPeer.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * The node refused to keep an envelope (a peer over its quota of held envelopes of unknown
   * groups): the envelope is not acknowledged, so an honest sender tries again later.
   */
  static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param cost adds the work units this envelope cost beyond its lookup (HPKE open, key
   *     derivations), written before the returned future completes
   */
  private CompletableFuture<Outcome> route(byte[] envelope, Id pendingId, PeerId from, long[] cost) {
    try {
      SealedEnvelope.checkFraming(envelope);
    } catch (EnvelopeException e) {
      return dropped(DropReason.MALFORMED, "malformed envelope", pendingId);
    }
    // The kind is not visible outside the seal (issue 16): a group tag of ours decides it first
    // (one HMAC per candidate epoch); an envelope no tag knows is tried as a direct one (one HPKE
    // open), and if that fails too it is held as a group envelope of an epoch not known yet.
    Optional<NodeContext.EpochLabel> label = ctx.tags.find(envelope);
    if (label.isEmpty() && pendingId == null) {
      MessageId id = MessageId.of(NodeContext.sha256(DirectEnvelope.canonical(envelope)));
      if (ctx.seen.getIfPresent(id) != null) {
        return dropped(DropReason.DUPLICATE, "duplicate", pendingId);
      }
      // The HPKE open (an X25519 agreement, about 0.1-0.7 ms) runs on the node lane, never on
      // the transport's thread, where it would delay every other peer's envelopes on the same
      // event loop; a peer may have only MAX_OPENING_PER_PEER of them queued at once, so that a
      // flood of junk holds a bounded share of the lane (beyond, refused: not acknowledged).
      PeerId owner = from == null ? ANONYMOUS : from;
      if (!opening.tryAcquire(owner)) {
        return CompletableFuture.failedFuture(
            new RefusedException("too many direct envelopes of one peer being opened"));
      }
      cost[0] += PeerWork.HPKE_OPEN;
      CompletableFuture<Outcome> done = new CompletableFuture<>();
      nodeLane.execute(() -> {
        Optional<byte[]> payload;
        try {
          payload = openDirect(envelope);
        } finally {
          opening.release(owner);
        }
        try {
          if (payload.isPresent()) {
            dispatchDirect(payload.get(), id, from).whenComplete((v, e) -> settle(done, e));
          } else {
            holdUnknown(envelope, from).whenComplete((o, e) -> {
              if (e == null) {
                done.complete(o);
              } else {
                done.completeExceptionally(e);
              }
            });
          }
        } catch (RuntimeException e) {
          done.completeExceptionally(e); // the node is closing: not acknowledged
        }
      });
      return done.thenCompose(o -> forget(o, pendingId));
    }
    SpaceActor actor = label.map(l -> ctx.groupOwners.get(l.group())).orElse(null);
    if (actor == null) {
      if (pendingId != null) {
        return CompletableFuture.completedFuture(Outcome.HELD);
      }
      return holdUnknown(envelope, from);
    }
    return routeGroup(envelope, pendingId, cost, actor, label.get());
  }

  /** Holds an envelope of a group this node does not know (yet), within the quotas. */
  private CompletableFuture<Outcome> holdUnknown(byte[] envelope, PeerId from) {
    return ctx.steps.submit(nodeLane, null, s -> {
      // An envelope of a group this node does not know (yet): most often a channel's message
      // that overtook the Welcome. It is kept, within a quota per connection peer and in
      // total, so that an outsider can neither fill the held envelopes nor push members' out;
      // beyond the quota it is refused and its sender tries again later.
      Id heldId = Id.of(NodeContext.sha256(envelope));
      if (!unknownOwners.containsKey(heldId)) {
        PeerId owner = from == null ? ANONYMOUS : from;
        if (unknownOwners.size() >= MAX_UNKNOWN_HELD
            || unknownByPeer.getOrDefault(owner, 0) >= MAX_UNKNOWN_HELD_PER_PEER) {
          throw new RefusedException("held envelopes of unknown groups over quota");
        }
        unknownOwners.put(heldId, owner);
        unknownByPeer.merge(owner, 1, Integer::sum);
        s.onFailure(() -> release(heldId));
      }
      PendingEnvelopes.hold(s, ctx, heldId, envelope);
      // A Welcome or commit processed on another lane meanwhile may already open it; its
      // retry round may have read the held envelopes before this one was stored.
      s.afterCommit(() -> {
        if (pending != null && ctx.tags.find(envelope).isPresent()) {
          pending.retry();
        }
      });
      return Outcome.HELD;
    });
  }

  private CompletableFuture<Outcome> routeGroup(byte[] envelope, Id pendingId, long[] cost,
      SpaceActor actor, NodeContext.EpochLabel label) {
    CompletableFuture<Outcome> processed = actor.step(s -> {
      // the keys a message makes its group derive are its sender's work (a forged generation
      // costs up to the jump bound), counted on the group instance even when processing fails
      io.spacepanda.internal.mls.group.Group g = groupOrNull(actor, label.group());
      long before = g == null ? 0 : g.keyDerivations();
      try {
        Outcome o = actor.inbound.receiveGroup(s, envelope, pendingId != null, label);
        if (pendingId != null && o != Outcome.HELD) {
          PendingEnvelopes.delete(s, ctx, pendingId);
        }
        return o;
      } finally {
        if (g != null) {
          cost[0] += (g.keyDerivations() - before) * PeerWork.KEY_DERIVATION;
        }
      }
    });
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    processed.whenComplete((o, e) -> {
      if (e == null) {
        done.complete(o);
      } else {
        settle(done, e);
      }
    });
    return done.thenCompose(o -> o == Outcome.DROPPED ? forget(o, pendingId)
        : CompletableFuture.completedFuture(o));
  }

  private static io.spacepanda.internal.mls.group.Group groupOrNull(SpaceActor actor, Id groupId) {
    try {
      return actor.group(groupId).group();
    } catch (RuntimeException e) {
      return null; // the group is gone: receiveGroup drops the envelope
    }
  }

  /** Opens an envelope as a direct one to this node's inbox, or empty if it is not one. */
  private Optional<byte[]> openDirect(byte[] envelope) {
    try {
      return Optional.of(DirectEnvelope.open(ctx.inbox, envelope));
    } catch (EnvelopeException e) {
      return Optional.empty();
    }
  }

  private CompletableFuture<Void> dispatchDirect(byte[] payload, MessageId id, PeerId from) {
    try {
      ctx.seen.put(id, Boolean.TRUE);
      NodeWire.Msg msg = NodeWire.decode(payload);
      dispatching = from == null ? ANONYMOUS : from;
      CompletableFuture<Void> f;
      try {
        f = dispatch(msg);
      } finally {
        dispatching = null;
      }
      f.whenComplete((v, e) -> {
        if (e != null && (storageFailure(e) || refused(e))) {
          ctx.seen.invalidate(id); // tried again later, not a duplicate then
        }
      });
      return f;
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static boolean refused(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return cause instanceof RefusedException;
  }

  /** Returns the limits of the mailbox and sync protocols (for tests). */
  DirectBudgets budgets() {
    return budgets;
  }

  /**
   * Hands a node message to its handler; on the node lane.
   *
   * @param msg the message
   * @return completes when it is handled
   */
  CompletableFuture<Void> dispatch(NodeWire.Msg msg) {
    DirectHandler h = handlers.get(msg.getClass());
    if (h == null) {
      ctx.drop(DropReason.UNEXPECTED, "unexpected direct message");
      return CompletableFuture.completedFuture(null);
    }
    ResourceManager.MessageScope admitted;
    try {
      // a reassembled message is dispatched within its last fragment's dispatch, same peer
      admitted = budgets.admit(dispatching == null ? ANONYMOUS : dispatching, msg);
    } catch (ResourceLimitException e) {
      ctx.drop(DropReason.THROTTLED, e.getMessage());
      return CompletableFuture.failedFuture(new RefusedException(e.getMessage()));
    }
    CompletableFuture<Void> f;
    try {
      f = h.handle(msg);
      f = f == null ? CompletableFuture.completedFuture(null) : f;
    } catch (Exception e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (admitted != null) {
      f.whenComplete((v, e) -> admitted.close());
    }
    return f;
  }

  /** Completes with DONE, or with DROPPED for bad input, or fails for a storage failure. */
  private void settle(CompletableFuture<Outcome> done, Throwable e) {
    if (e == null) {
      done.complete(Outcome.DONE);
      return;
    }
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (storageFailure(cause) || cause instanceof RefusedException) {
      done.completeExceptionally(cause);
      return;
    }
    if (cause instanceof EnvelopeException) {
      ctx.drop(DropReason.UNDECRYPTABLE, cause.getClass().getSimpleName());
    } else if (cause instanceof SpacePandaException || cause instanceof IllegalArgumentException
        || cause instanceof IllegalStateException) {
      ctx.drop(DropReason.MALFORMED, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } else {
      LOG.warn("an inbound envelope caused an unexpected error; dropped", cause);
      ctx.drop(DropReason.ERROR, cause.getClass().getSimpleName());
    }
    done.complete(Outcome.DROPPED);
  }

  private static boolean storageFailure(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return c instanceof StorageException;
  }

  private CompletableFuture<Outcome> dropped(DropReason reason, String why, Id pendingId) {
    ctx.drop(reason, why);
    return forget(Outcome.DROPPED, pendingId);
  }

  /** Deletes a held envelope that will never open. */
  private CompletableFuture<Outcome> forget(Outcome o, Id pendingId) {
    if (pendingId == null || o == Outcome.HELD) {
      return CompletableFuture.completedFuture(o);
    }
    return ctx.steps.submit(nodeLane, null, s -> {
      PendingEnvelopes.delete(s, ctx, pendingId);
      return o;
    });
  }
}
