package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SyncEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asker's side of sync ({@link ChannelSync}): processes the items of a {@link
 * NodeWire.SyncResponse}, one step each, in the order served, and asks the responder again when
 * the response said it had more.
 *
 * <p>A fetched message goes into the same path as a received group envelope ({@link
 * SpaceInbound#receiveMls}); one this node holds already (by address, epoch or message id) is
 * skipped. A commit is applied only at this node's epoch (an older one may be a fork's winning
 * branch, {@link Forks#offer}). A message this node can never open gets a tombstone of its own, so
 * that its mark moves past it. A proposal is processed only at its epoch ({@link SyncProposals}).
 *
 * <p>Threading: every item runs in a step of the space; the {@code behind} set is concurrent.
 */
final class SyncFetch {

  private static final Logger LOG = LoggerFactory.getLogger(SyncFetch.class);

  private final NodeContext ctx;
  private final SpaceActor.Services services;
  /** Groups in which a peer was seen to hold more than this node (ChannelSync's gauge). */
  private final Set<Id> behind;
  private final ChannelSync sync;

  SyncFetch(NodeContext ctx, SpaceActor.Services services, Set<Id> behind, ChannelSync sync) {
    this.sync = sync;
    this.ctx = ctx;
    this.services = services;
    this.behind = behind;
  }

  /**
   * Processes the messages of a response, one step each in order, then asks the responder again
   * if it had more.
   *
   * @return completes when every step ran (failed ones are logged and skipped)
   */
  CompletableFuture<Void> onResponse(SpaceActor a, NodeWire.SyncResponse r) {
    Id groupId = Id.of(r.channelId());
    List<CompletableFuture<Object>> steps = new ArrayList<>();
    int[] progressed = new int[1];
    for (NodeWire.SyncItem item : r.items()) {
      steps.add(a.step(s -> {
        if (apply(a, s, groupId, item)) {
          progressed[0]++;
        }
        return null;
      }).exceptionally(e -> {
        LOG.debug("a synced message could not be processed: {}", e.toString());
        return null;
      }));
    }
    PeerId responder;
    try {
      responder = PeerId.fromBytes(r.responder());
    } catch (IllegalArgumentException e) {
      ctx.drop(DropReason.MALFORMED, "sync responder");
      return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }
    steps.add(a.step(s -> {
      // Asked again only when this response moved something forward: a responder whose items
      // this node cannot use (skipped, or held for a later epoch) is not asked for the same again
      // at network speed; the next exchange of marks starts afresh.
      boolean more = r.more() && progressed[0] > 0;
      sync.answered(a, s, groupId, responder, more, progressed[0] > 0);
      if (more) {
        askAgain(a, s, groupId, responder);
      }
      return null;
    }).exceptionally(e -> {
      LOG.debug("could not ask for more sync: {}", e.toString());
      return null;
    }));
    if (!r.more()) {
      behind.remove(groupId);
    }
    return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
  }

  private GroupChannel group(SpaceActor a, Id groupId) {
    if (!a.present) {
      return null;
    }
    return a.control.id().equals(groupId) ? a.control : a.channels.get(groupId);
  }

  /** @return true if the item moved this node forward (processed, or a tombstone kept) */
  private boolean apply(SpaceActor a, Step s, Id groupId, NodeWire.SyncItem item)
      throws SpacePandaException {
    GroupChannel gc = group(a, groupId);
    if (gc == null) {
      ctx.drop(DropReason.UNEXPECTED, "sync response for an unknown group");
      return false;
    }
    Id sender = Id.of(item.sender());
    if (ctx.seen.getIfPresent(MessageId.of(NodeContext.sha256(item.mlsMessage()))) != null) {
      return false;
    }
    if (sender.equals(ChannelSync.COMMITS)) {
      if (item.sequence() < gc.group().epoch()) {
        // Perhaps the winning branch of a fork this node waits for (Forks).
        a.forks.offer(s, gc, item.mlsMessage(), item.sequence());
        return true;
      }
      if (item.sequence() != gc.group().epoch()) {
        return false;
      }
      return a.inbound.receiveMls(s, gc, item.mlsMessage(), null) == InboundRouter.Outcome.DONE;
    }
    if (sender.equals(SyncProposals.PROPOSALS)) {
      applyProposal(a, s, gc, item);
      return true;
    }
    if (ChannelSync.pseudoSender(sender) || sender.equals(NodeContext.peerKey(ctx.self))) {
      return false;
    }
    List<SyncEnvelope> held = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(groupId, sender, item.sequence(), 1));
    if (!held.isEmpty() && held.get(0).sequence() == item.sequence()) {
      return false;
    }
    InboundRouter.Outcome o;
    try {
      o = a.inbound.receiveMls(s, gc, item.mlsMessage(), null);
    } catch (io.spacepanda.internal.mls.MlsException e) {
      ctx.drop(DropReason.MALFORMED, "synced message: " + e.getClass().getSimpleName());
      o = InboundRouter.Outcome.DROPPED;
    }
    if (o == InboundRouter.Outcome.DROPPED) {
      // This node can never open it (an epoch before it joined, or beyond its retention): a
      // tombstone of its own moves its mark past it, so that it is not asked for again.
      SyncEnvelope tomb = new SyncEnvelope(groupId, sender, item.sequence(), item.epoch(),
          new byte[0]);
      s.write(t -> t.putSyncEnvelope(tomb));
    }
    return o != InboundRouter.Outcome.HELD;
  }

  /**
   * A fetched proposal: processed as a received one while this node is still at its epoch
   * (queued, then committed by the group's committer); ignored otherwise.
   */
  private void applyProposal(SpaceActor a, Step s, GroupChannel gc, NodeWire.SyncItem item)
      throws SpacePandaException {
    if (item.epoch() != gc.group().epoch() || (item.sequence() >>> 16) != item.epoch()) {
      return;
    }
    try {
      a.inbound.receiveMls(s, gc, item.mlsMessage(), null);
    } catch (io.spacepanda.internal.mls.MlsException e) {
      ctx.drop(DropReason.MALFORMED, "synced proposal: " + e.getClass().getSimpleName());
    }
  }

  /** Asks a responder again for what this node lacks in a group; in a step of the space. */
  void askAgain(SpaceActor a, Step s, Id groupId, PeerId responder)
      throws SpacePandaException {
    GroupChannel gc = group(a, groupId);
    Contact contact = a.contact(responder);
    if (gc == null || contact == null || responder.equals(ctx.self)) {
      return;
    }
    sync.send(a, s, responder, contact.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(),
        gc.id().toBytes(), ctx.self.bytes(), gc.group().epoch(), SyncSummaries.marks(ctx, gc),
        SyncServers.with(SyncSummaries.extensions(a, gc), responder)));
  }
}
