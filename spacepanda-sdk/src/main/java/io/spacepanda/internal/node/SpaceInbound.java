package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.envelope.TagIndex;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsGenerationAheadException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a space receives: group envelopes of its control group and channels, join requests for the
 * space, and channel join requests, invites and Welcomes.
 *
 * <p>Every method runs inside a step of the owning {@link SpaceActor}, on its lane. A message that
 * cannot be processed yet (the next epoch's, before its commit) is held through {@link
 * PendingEnvelopes}; one that fails authentication or is malformed is dropped and counted.
 */
final class SpaceInbound {

  private static final Logger LOG = LoggerFactory.getLogger(SpaceInbound.class);
  /** Beyond twice the node's jitter, how long after entering an epoch a received commit is held. */
  static final java.time.Duration CATCH_UP_MARGIN = java.time.Duration.ofSeconds(5);

  private final SpaceActor a;
  private final NodeContext ctx;

  SpaceInbound(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
  }

  /**
   * Handles a group envelope whose tag matched one of this space's groups.
   *
   * @param s the step
   * @param envelope the envelope
   * @param fromPending true when retried from the held envelopes (then not held again)
   * @param hint the label the router found for it (its keys are tried first), or null
   * @return what became of it
   */
  InboundRouter.Outcome receiveGroup(Step s, byte[] envelope, boolean fromPending,
      NodeContext.EpochLabel hint) throws SpacePandaException {
    Optional<TagIndex.Opened<NodeContext.EpochLabel>> opened = ctx.tags.tryOpen(envelope, hint);
    if (opened.isEmpty()) {
      if (!fromPending) {
        LOG.debug("holding a group envelope of space {} whose epoch tag is not open yet",
            a.spaceId);
        PendingEnvelopes.hold(s, ctx, envelope);
      }
      return InboundRouter.Outcome.HELD;
    }
    Id groupId = opened.get().label().group();
    GroupChannel gc = groupId.equals(a.control.id()) && a.present ? a.control
        : a.channels.get(groupId);
    if (gc == null) {
      return drop(DropReason.UNEXPECTED, "group gone");
    }
    return receiveMls(s, gc, opened.get().plaintext(), fromPending ? null : envelope, true);
  }

  /**
   * Processes an MLS message of one of this space's groups, opened from a group envelope or
   * fetched by sync.
   *
   * @param s the step
   * @param gc the group
   * @param plaintext the encoded MLS message
   * @param envelopeOrNull the envelope to hold if the message cannot be processed yet, or null to
   *     hold nothing (a retry, or a message fetched by sync, which is asked for again later)
   * @return what became of it; {@link InboundRouter.Outcome#HELD} also when nothing was held
   */
  InboundRouter.Outcome receiveMls(Step s, GroupChannel gc, byte[] plaintext,
      byte[] envelopeOrNull) throws SpacePandaException {
    return receiveMls(s, gc, plaintext, envelopeOrNull, false);
  }

  /**
   * As {@link #receiveMls(Step, GroupChannel, byte[], byte[])}; {@code viaEnvelope} says that it
   * came as a group envelope (or is one held earlier), not from sync, which orders by epoch.
   */
  private InboundRouter.Outcome receiveMls(Step s, GroupChannel gc, byte[] plaintext,
      byte[] envelopeOrNull, boolean viaEnvelope) throws SpacePandaException {
    MlsMessage m = TlsReader.decodeExactly(plaintext, MlsMessage::decode);
    if (m.wireFormat() != WireFormat.PRIVATE_MESSAGE && m.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      return drop(DropReason.MALFORMED, "not a group message");
    }
    MessageId id = MessageId.of(NodeContext.sha256(plaintext));
    if (ctx.seen.getIfPresent(id) != null) {
      return drop(DropReason.DUPLICATE, "duplicate");
    }
    PeerId committer = null;
    PeerId refresher = null;
    byte[] stateBefore = null;
    if (isCommit(m) && Group.epochOf(m) == gc.group().epoch()) {
      // Only the group's committers commit: a commit of anyone else is never applied (no fork).
      // It is held, not dropped, because its sender may be an admin whose promotion has not
      // reached this node yet; it is tried again when the roles or the epoch change. The one
      // exception: a path refresh from one of the epoch's refreshers (PathRefresh).
      committer = peerAt(gc, gc.group().senderLeafOf(m));
      if (committer != null && !ctx.policy.mayCommit(a.meta, gc, committer)
          && ctx.policy.mayRefreshPath(a.meta, gc, committer)) {
        refresher = committer;
      } else if (committer == null || !ctx.policy.mayCommit(a.meta, gc, committer)) {
        LOG.info("holding a commit of {} by {}, who is not one of its committers {}", gc.name(),
            committer, ctx.policy.committers(a.meta, gc));
        if (envelopeOrNull != null) {
          PendingEnvelopes.hold(s, ctx, envelopeOrNull);
        }
        return InboundRouter.Outcome.HELD;
      }
      java.time.Instant until = viaEnvelope ? catchUpUntil(gc) : null;
      if (until != null) {
        // Catching up (this epoch was entered moments ago): applying this commit now would
        // forget the keys of the oldest retained epoch while sync may still be bringing that
        // epoch's messages, which could then never be opened (and, tombstoned, would count as
        // held). Wait for sync, which delivers an epoch's messages before the commit ending it;
        // then the held copy is a duplicate, or is applied when the wait is over.
        LOG.debug("holding a commit of {} at epoch {} while catching up", gc.name(),
            gc.group().epoch());
        a.aheadSeen.put(gc.id(), new SpaceActor.Ahead(Group.epochOf(m) + 1, ctx.now()));
        if (envelopeOrNull != null) {
          PendingEnvelopes.hold(s, ctx, envelopeOrNull);
        }
        Id held = gc.id();
        java.time.Duration wait = java.time.Duration.between(ctx.now(), until);
        s.afterCommit(() -> ctx.scheduler.schedule(wait,
            () -> ctx.bus.publish(new EventBus.HeldMayOpen(held))));
        return InboundRouter.Outcome.HELD;
      }
      // Kept for a fork: the state this commit leaves, to follow another branch from it.
      stateBefore = gc.group().toBytes();
    }
    ProcessedMessage p;
    try {
      p = refresher != null ? gc.group().processPathRefresh(m) : gc.group().process(m);
    } catch (MlsValidationException e) {
      if (refresher == null) {
        throw e;
      }
      // A refresher may refresh its path, nothing more: a commit of it that carries proposals
      // (or anything but a path refresh) is refused by every member.
      LOG.info("refusing a commit of {} by {}: a refresher may only refresh its path", gc.name(),
          refresher);
      return drop(DropReason.REFUSED, "refresher's commit that is not a path refresh");
    } catch (MlsWrongEpochException e) {
      if (Group.epochOf(m) > gc.group().epoch()) {
        // Other members are ahead: this node must not commit the epoch they already left.
        a.aheadSeen.put(gc.id(), new SpaceActor.Ahead(Group.epochOf(m), ctx.now()));
        LOG.debug("holding a message of {} at epoch {}; this node is at epoch {}", gc.name(),
            Group.epochOf(m), gc.group().epoch());
        if (envelopeOrNull != null) {
          PendingEnvelopes.hold(s, ctx, envelopeOrNull);
        }
        return InboundRouter.Outcome.HELD;
      }
      return drop(DropReason.PAST_EPOCH, "past epoch");
    } catch (MlsGenerationAheadException e) {
      // Earlier messages of this sender are still on their way: opening this one now would
      // forget their keys. Keep it and try again once a message of this group was processed.
      a.heldAhead.add(gc.id());
      LOG.debug("holding a message of {}: earlier ones of its sender are missing", gc.name());
      if (envelopeOrNull != null) {
        PendingEnvelopes.hold(s, ctx, envelopeOrNull);
      }
      return InboundRouter.Outcome.HELD;
    }
    s.touch();
    ctx.seen.put(id, Boolean.TRUE);
    s.onFailure(() -> ctx.seen.invalidate(id));
    if (a.heldAhead.remove(gc.id())) {
      s.afterCommit(() -> ctx.bus.publish(new EventBus.HeldMayOpen(gc.id())));
    }
    if (p instanceof ProcessedMessage.ApplicationMessage app) {
      return onApplication(s, gc, id, app, Group.epochOf(m), plaintext);
    } else if (p instanceof ProcessedMessage.CommitApplied c) {
      long epoch = Group.epochOf(m);
      LOG.debug("applied a commit of {}: now at epoch {} with {} members", gc.name(),
          gc.group().epoch(), gc.group().members().size());
      a.epochEnteredAt.put(gc.id(), ctx.now());
      SyncEnvelope kept = new SyncEnvelope(gc.id(), ChannelSync.COMMITS, epoch, epoch, plaintext);
      s.write(t -> {
        GroupStore.saveGroup(t, gc);
        t.putSyncEnvelope(kept);
      });
      if (stateBefore != null && committer != null) {
        a.forks.committed(s, gc, stateBefore, epoch, plaintext, committer);
      }
      a.commits.afterEpochChange(s, gc, c);
    } else if (p instanceof ProcessedMessage.ProposalQueued q) {
      s.write(t -> GroupStore.saveGroup(t, gc));
      if (q.proposal() instanceof Proposal.Remove r && q.sender().index() == r.removed()) {
        for (Member mem : gc.group().members()) {
          if (mem.leafIndex() == r.removed()) {
            a.leaving.add(GroupChannel.peerOf(mem));
          }
        }
      }
      if (!allowedProposal(gc, q)) {
        gc.group().discardProposal(q.reference());
        return drop(DropReason.REFUSED, "proposal its sender's role does not allow");
      }
      SyncProposals.keep(s, gc, Group.epochOf(m), plaintext); // served to members that lack it
      a.commits.commitPendingIfDue(s, gc);
    }
    return InboundRouter.Outcome.DONE;
  }

  /**
   * The catch-up hold: a received commit that would make this node forget an epoch's keys is held
   * while the current epoch was entered less than twice the node's jitter (a summary and its
   * answer, both jittered) plus {@link #CATCH_UP_MARGIN} ago (sync on only): a member coming back
   * applies the commits it missed back to back, and would otherwise forget the keys of epochs
   * whose messages sync is still fetching for it.
   *
   * @return until when to hold the commit, or null to apply it now
   */
  private java.time.Instant catchUpUntil(GroupChannel gc) {
    java.time.Instant entered = a.epochEnteredAt.get(gc.id());
    if (entered == null || ctx.config.syncInterval().isZero()
        || gc.group().epoch() < ctx.config.pastEpochRetention()) {
      return null;
    }
    java.time.Instant until = entered.plus(ctx.config.jitter().max().multipliedBy(2))
        .plus(CATCH_UP_MARGIN);
    return ctx.now().isBefore(until) ? until : null;
  }

  private static boolean isCommit(MlsMessage m) {
    if (m.privateMessage() != null) {
      return m.privateMessage().contentType() == ContentType.COMMIT;
    }
    return m.publicMessage() != null
        && m.publicMessage().content().contentType() == ContentType.COMMIT;
  }

  private static PeerId peerAt(GroupChannel gc, int leaf) {
    for (Member mem : gc.group().members()) {
      if (mem.leafIndex() == leaf) {
        return GroupChannel.peerOf(mem);
      }
    }
    return null;
  }

  /**
   * What a member may propose: an update of its own leaf and its own removal, always; the removal
   * of another member only as one of the group's committers whose role allows that removal.
   * Anything else would let a plain member change the group through a committer's commit.
   */
  private boolean allowedProposal(GroupChannel gc, ProcessedMessage.ProposalQueued q) {
    if (q.sender().type() != io.spacepanda.internal.mls.message.SenderType.MEMBER) {
      return false;
    }
    int from = q.sender().index();
    if (q.proposal() instanceof Proposal.Update) {
      return true;
    }
    if (!(q.proposal() instanceof Proposal.Remove r)) {
      return false;
    }
    if (r.removed() == from) {
      return true;
    }
    PeerId sender = peerAt(gc, from);
    PeerId target = peerAt(gc, r.removed());
    if (sender == null || target == null || !ctx.policy.mayCommit(a.meta, gc, sender)) {
      return false;
    }
    // A member already removed from the space may be removed by any committer (a cascade).
    Optional<SpaceOp.MemberRemoved> removal = a.meta.removalOf(target);
    return removal.isEmpty() || a.meta.permits(sender, removal.get());
  }

  private InboundRouter.Outcome onApplication(Step s, GroupChannel gc, MessageId id,
      ProcessedMessage.ApplicationMessage app, long epoch, byte[] mlsBytes)
      throws SpacePandaException {
    PeerId sender = PeerId.fromBytes(app.credential().identity());
    InnerPayload payload;
    try {
      payload = InnerPayload.decode(app.data());
    } catch (MlsException e) {
      s.write(t -> GroupStore.saveRatchet(t, gc));
      return drop(DropReason.MALFORMED, "unreadable inner payload");
    }
    gc.observeLamport(payload.lamport());
    // A copy sent again after its sender left the losing branch of a fork (Forks): this node
    // had it from that branch (so it moved too). Keep the copy that opens here; show it once.
    Id senderKey = NodeContext.peerKey(sender);
    long seq = payload.senderSequence();
    boolean again = false;
    if (a.forks.mayReceiveAgain(gc)) {
      List<SyncEnvelope> had = ctx.storage.inTransaction(
          t -> t.syncEnvelopes(gc.id(), senderKey, seq, 1));
      again = !had.isEmpty() && had.get(0).sequence() == seq
          && had.get(0).mlsMessageLength() > 0;
    }
    boolean seenAgain = again;
    if (gc.isControl()) {
      SyncEnvelope keptOp = new SyncEnvelope(gc.id(), senderKey, seq, epoch, mlsBytes);
      s.write(t -> {
        GroupStore.saveGroup(t, gc);
        if (seenAgain) {
          t.replaceSyncEnvelope(keptOp);
        } else {
          t.putSyncEnvelope(keptOp);
        }
      });
      return onControlOp(s, sender, payload.body());
    }
    if (again) {
      SyncEnvelope keptAgain = new SyncEnvelope(gc.id(), senderKey, seq, epoch, mlsBytes);
      s.write(t -> {
        t.replaceSyncEnvelope(keptAgain);
        GroupStore.saveRatchet(t, gc);
      });
      return InboundRouter.Outcome.DONE;
    }
    StoredMessage sm = new StoredMessage(Id.of(id.toBytes()), gc.id(), NodeContext.peerKey(sender),
        payload.lamport(), payload.senderSequence(), payload.contentType(), payload.body(),
        ctx.now(), DeliveryState.RECEIVED);
    SyncEnvelope kept = new SyncEnvelope(gc.id(), sm.senderPeerId(), payload.senderSequence(),
        epoch, mlsBytes);
    boolean[] fresh = new boolean[1];
    s.write(t -> {
      fresh[0] = t.insertMessage(sm);
      t.putSyncEnvelope(kept);
      GroupStore.saveRatchet(t, gc);
    });
    Channel h = a.channelHandle(gc);
    Message msg = Messages.view(gc.id(), sm);
    s.event(l -> {
      if (fresh[0]) {
        l.onMessage(h, msg);
      }
    });
    s.afterCommit(() -> {
      if (fresh[0]) {
        ctx.stats.messageReceived(gc.idString());
        ctx.bus.publish(new EventBus.MessageStored(gc.id(), sm.messageId()));
      }
    });
    return InboundRouter.Outcome.DONE;
  }

  /**
   * Merges the space operations a manager's answer carries (a re-admission, {@link
   * Forks#readmitted}), as if each had arrived in the control group from its author.
   */
  void mergeOps(Step s, List<SpaceOp> ops) throws SpacePandaException {
    for (SpaceOp op : ops) {
      onControlOp(s, op.author(), op.encode());
    }
  }

  private InboundRouter.Outcome onControlOp(Step s, PeerId author, byte[] encoded)
      throws SpacePandaException {
    SpaceOp op = SpaceOp.decode(encoded);
    if (!op.author().equals(author)) {
      return drop(DropReason.REFUSED, "space operation whose author is not its sender");
    }
    if (a.meta.apply(op) == SpaceState.Outcome.DUPLICATE) {
      return InboundRouter.Outcome.DONE;
    }
    LOG.debug("space operation {} by {} in space {}", op.body().getClass().getSimpleName(),
        author, a.spaceId);
    List<SpaceOp> nowEffective = a.meta.lastNewlyEffective();
    s.write(t -> t.appendSpaceOperation(SpaceCommits.stored(op)));
    a.commits.applyNames(s);
    a.commits.afterRolesMayHaveChanged(s);
    // Operations that waited for this one (it arrived late) take effect now, then this one.
    for (SpaceOp waited : nowEffective) {
      LOG.debug("space operation {} by {} takes effect after a late one",
          waited.body().getClass().getSimpleName(), waited.author());
      takeEffect(s, waited);
    }
    if (a.meta.isEffective(op.id())) {
      takeEffect(s, op);
    }
    return InboundRouter.Outcome.DONE;
  }

  /** What an operation of the space log that took effect asks of this node beyond the log. */
  private void takeEffect(Step s, SpaceOp op) throws SpacePandaException {
    PeerId author = op.author();
    if (op.body() instanceof SpaceOp.MemberJoined mj) {
      a.services.directory().learn(mj.contact().peer(), mj.contact().addresses());
      a.joins.retryHeldRequests(s);
    } else if (op.body() instanceof SpaceOp.UpdateContact uc) {
      a.services.directory().learn(uc.contact().peer(), uc.contact().addresses());
    } else if (op.body() instanceof SpaceOp.CreateChannel cc) {
      a.joins.requestChannel(s, new NodeWire.ChannelInfo(cc.channelId().bytes(), cc.name(),
          author.bytes()));
    }
  }

  static NodeWire.ChannelInfo info(GroupChannel gc) {
    return new NodeWire.ChannelInfo(gc.id().toBytes(), gc.name(), gc.owner().bytes());
  }

  private InboundRouter.Outcome drop(DropReason reason, String why) {
    ctx.drop(reason, why);
    return InboundRouter.Outcome.DROPPED;
  }
}
