package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.CommitResult;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.ChannelInfo;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SyncEnvelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The group changes a space makes: commits (by the member {@link CommitPolicy} names), proposals
 * to that committer, space metadata operations, and what follows an epoch change (events,
 * cascading removals, renames, re-proposals).
 *
 * <p>Every method runs inside a step of the owning {@link SpaceActor}, on its lane, and records
 * its writes, events and sends in that step.
 */
final class SpaceCommits {

  /** How long even the first committer waits before committing others' proposals. */
  static final java.time.Duration COMMIT_GRACE = java.time.Duration.ofSeconds(1);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpaceCommits.class);

  private final SpaceActor a;
  private final NodeContext ctx;

  SpaceCommits(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
  }

  /**
   * Commits as the group's committer, adopts the new epoch and queues the commit (sealed with the
   * old epoch's keys) to every member of the old epoch and the Welcome to an added member.
   */
  void commitAndBroadcast(Step s, GroupChannel gc, CommitOptions options, PeerId joiner,
      byte[] joinerInboxKey, Function<byte[], NodeWire.Msg> welcomeWrapper)
      throws SpacePandaException {
    if (!mayCommit(gc)) {
      throw new io.spacepanda.RoleRequiredException(a.meta.view().roleOf(ctx.self).orElse(null),
          "this node does not commit " + gc.name() + "; its committers are "
          + ctx.policy.committers(a.meta, gc));
    }
    commitIgnoringPolicy(s, gc, options, joiner, joinerInboxKey, welcomeWrapper);
  }

  /**
   * {@link #commitAndBroadcast} without asking {@link CommitPolicy}: tests call it directly, to
   * check that the other members refuse a commit of a member that may not commit, and {@link
   * PathRefresh} for a path refresh (it checks its own rule first).
   */
  void commitIgnoringPolicy(Step s, GroupChannel gc, CommitOptions options, PeerId joiner,
      byte[] joinerInboxKey, Function<byte[], NodeWire.Msg> welcomeWrapper)
      throws SpacePandaException {
    Set<PeerId> oldMembers = a.others(gc);
    GroupEnvelopeKeys oldKeys = gc.currentKeys();
    long oldEpoch = gc.group().epoch();
    s.touch();
    byte[] stateBefore = gc.group().toBytes();
    CommitResult result = gc.group().commit(options);
    ProcessedMessage.CommitApplied applied = gc.group().mergePendingCommit();
    byte[] commitBytes = result.commit().toBytes();
    a.forks.committed(s, gc, stateBefore, oldEpoch, commitBytes, ctx.self);
    ctx.seen.put(MessageId.of(NodeContext.sha256(commitBytes)), Boolean.TRUE);
    byte[] env = GroupEnvelope.seal(oldKeys, commitBytes, ctx.padding, ctx.config.random());
    // Kept for sync: a member that misses this commit fetches it from any member (ChannelSync).
    SyncEnvelope keptCommit = new SyncEnvelope(gc.id(), ChannelSync.COMMITS, oldEpoch, oldEpoch,
        commitBytes);
    s.write(t -> {
      GroupStore.saveGroup(t, gc);
      t.putSyncEnvelope(keptCommit);
    });
    List<OutboxEntry> out = new ArrayList<>();
    for (PeerId r : oldMembers) {
      out.add(a.services.outbox().enqueue(s, env, r));
    }
    if (joiner != null && result.welcomeOrNull() != null) {
      byte[] welcomeBytes = MlsMessage.of(result.welcomeOrNull()).toBytes();
      NodeWire.Msg w = welcomeWrapper.apply(welcomeBytes);
      if (!gc.isControl()) {
        // Kept so that it can be sent again if it is lost (ChannelSync, lost Welcomes).
        long epoch = gc.group().epoch();
        SyncEnvelope keptWelcome = new SyncEnvelope(gc.id(), ChannelSync.welcomeKey(joiner),
            epoch, epoch, welcomeBytes);
        s.write(t -> t.putSyncEnvelope(keptWelcome));
      }
      if (w != null) {
        out.addAll(a.services.messenger().send(s, a.services.outbox(), joiner, joinerInboxKey, w));
      }
    }
    a.dispatchAfterCommit(s, out);
    afterEpochChange(s, gc, applied);
  }

  /** What follows a merged commit: events, cascades, re-proposals, and the epoch-change event. */
  void afterEpochChange(Step s, GroupChannel gc, ProcessedMessage.CommitApplied c)
      throws SpacePandaException {
    Channel h = a.channelHandle(gc);
    long epoch = gc.group().epoch();
    s.afterCommit(() -> ctx.bus.publish(new EventBus.EpochChanged(gc.id(), epoch)));
    if (c.selfRemoved()) {
      a.wantedRemovals.remove(gc.id());
      a.forks.forget(s, gc);
      a.unregister(gc);
      s.write(t -> GroupStore.deleteGroup(t, gc.id()));
      if (!gc.isControl()) {
        s.event(l -> l.onMemberRemoved(h, ctx.self));
      } else {
        a.present = false;
        s.afterCommit(() -> ctx.spaces.remove(a.spaceId, a));
      }
      return;
    }
    a.register(gc);
    a.refresh.arm(s, gc);
    SpaceActor.Ahead ahead = a.aheadSeen.get(gc.id());
    if (ahead != null && ahead.epoch() <= epoch) {
      a.aheadSeen.remove(gc.id());
    }
    proposeRemovalsAgain(s, gc);
    a.forks.afterEpochChange(s, gc);
    if (!gc.isControl()) {
      for (Member m : c.added()) {
        PeerId p = GroupChannel.peerOf(m);
        s.event(l -> l.onMemberJoined(h, p));
      }
      for (Member m : c.removed()) {
        PeerId p = GroupChannel.peerOf(m);
        if (a.leaving.remove(p)) {
          s.event(l -> l.onMemberLeft(h, p));
        } else {
          s.event(l -> l.onMemberRemoved(h, p));
        }
      }
      return;
    }
    boolean ownCommit = c.committer() == gc.group().ownLeafIndex();
    for (Member m : c.removed()) {
      PeerId p = GroupChannel.peerOf(m);
      a.leaving.remove(p);
      for (GroupChannel other : List.copyOf(a.channels.values())) {
        if (other.leafOf(p) < 0) {
          continue;
        }
        if (ownCommit && rank(other) == 0) {
          commitAndBroadcast(s, other, CommitOptions.builder().remove(other.leafOf(p)).build(),
              null, null, null);
        } else if (mayCommit(other)) {
          // The member that removed p from the space has most likely removed it from this
          // channel too, in a commit still on its way: propose, and commit only if nothing
          // came within one committer timeout (more for later committers).
          a.due.put(other.id(), new SpaceActor.Due(other.group().epoch(), ctx.now(), null,
              ctx.now().plus(ctx.config.committerTimeout())));
          proposeRemoval(s, other, p);
          commitPendingIfDue(s, other);
        }
      }
    }
    a.joins.retryHeldRequests(s);
  }

  // ---------------------------------------------------------------------------------------------
  // Who commits (see CommitPolicy)

  /** @return true if this node may commit the group in its current epoch */
  boolean mayCommit(GroupChannel gc) {
    return ctx.policy.mayCommit(a.meta, gc, ctx.self);
  }

  /**
   * Returns this node's place among the group's committers who are not leaving (members who
   * proposed their own removal cannot commit it): 0 commits other members' proposals at once, k
   * after k committer timeouts of silence; -1 if this node does not commit the group.
   */
  int rank(GroupChannel gc) {
    List<PeerId> order = new ArrayList<>(ctx.policy.committers(a.meta, gc));
    for (int leaf : gc.group().pendingSelfRemovals()) {
      for (Member m : gc.group().members()) {
        if (m.leafIndex() == leaf) {
          order.remove(GroupChannel.peerOf(m));
        }
      }
    }
    return order.indexOf(ctx.self);
  }

  /**
   * Commits the group's pending proposals if it is this node's turn: at once as the first
   * committer, otherwise once the committers before it were silent for rank times the committer
   * timeout since the first pending proposal of the epoch was seen here (a timer is armed).
   */
  void commitPendingIfDue(Step s, GroupChannel gc) throws SpacePandaException {
    if (gc.group().pendingProposalCount() == 0 || gc.group().pendingCommitOrNull() != null) {
      return;
    }
    int r = rank(gc);
    if (r < 0) {
      return;
    }
    long epoch = gc.group().epoch();
    SpaceActor.Due d = a.due.get(gc.id());
    if (d == null || d.epoch() != epoch) {
      d = new SpaceActor.Due(epoch, ctx.now());
      a.due.put(gc.id(), d);
    }
    java.time.Instant at = d.since().plus(ctx.config.committerTimeout().multipliedBy(r));
    if (at.isBefore(a.quietUntil)) {
      at = a.quietUntil;
    }
    if (d.notBefore() != null && at.isBefore(d.notBefore())) {
      at = d.notBefore();
    }
    // A short grace even for the first committer: a commit of the same epoch that arrived
    // together with the proposal (a member coming back) is processed first.
    java.time.Instant grace = d.since().plus(COMMIT_GRACE);
    if (at.isBefore(grace)) {
      at = grace;
    }
    // Messages of a later epoch were seen: the others moved on without this node; wait until it
    // has caught up (bounded, so that a member lying about its epoch only delays commits).
    if (a.catchingUp(gc.id(), epoch)) {
      java.time.Instant retry = ctx.now().plus(ctx.config.committerTimeout());
      if (at.isBefore(retry)) {
        at = retry;
      }
    }
    if (!ctx.now().isBefore(at)) {
      if (r > 0) {
        LOG.info("committers before this node were silent in {} epoch {}; committing for them",
            gc.name(), epoch);
      }
      // Removals go by value: a member that missed the proposal (the returning owner) can still
      // process the commit. Updates can only go by reference (RFC 9420 §12.2).
      CommitOptions.Builder o = CommitOptions.builder().includePendingProposals(true);
      int own = gc.group().ownLeafIndex();
      for (int leaf : gc.group().pendingRemovals()) {
        if (leaf != own) {
          o.remove(leaf);
        }
      }
      commitAndBroadcast(s, gc, o.build(), null, null, null);
      return;
    }
    if (!at.equals(d.armedAt())) {
      a.due.put(gc.id(), new SpaceActor.Due(epoch, d.since(), at, d.notBefore()));
      Id gid = gc.id();
      java.time.Duration wait = java.time.Duration.between(ctx.now(), at);
      s.afterCommit(() -> ctx.scheduler.schedule(wait, () -> a.step(s2 -> {
        GroupChannel g = gid.equals(a.control.id()) ? (a.present ? a.control : null)
            : a.channels.get(gid);
        if (g != null) {
          commitPendingIfDue(s2, g);
        }
        return null;
      })));
    }
  }

  /**
   * After a space operation was applied: reports a change of governance, and if the roles changed,
   * retries the commits held for their sender's role and re-checks whose turn it is to commit.
   */
  void afterRolesMayHaveChanged(Step s) throws SpacePandaException {
    java.util.Map<PeerId, io.spacepanda.Role> roles = a.meta.view().members();
    io.spacepanda.SpaceGovernance g = a.meta.view().governance();
    if (a.governance != null && g != a.governance) {
      io.spacepanda.Space sh = a.services.handles().space(a.spaceId, a.record.name());
      s.event(l -> l.onGovernanceChanged(sh, g));
    }
    a.governance = g;
    if (roles.equals(a.rolesSeen)) {
      return;
    }
    a.rolesSeen = roles;
    Id control = a.control.id();
    s.afterCommit(() -> ctx.bus.publish(new EventBus.HeldMayOpen(control)));
    commitPendingEverywhere(s);
  }

  /** Re-checks every group's pending proposals (after the roles changed). */
  void commitPendingEverywhere(Step s) throws SpacePandaException {
    if (a.present) {
      commitPendingIfDue(s, a.control);
    }
    for (GroupChannel gc : List.copyOf(a.channels.values())) {
      commitPendingIfDue(s, gc);
    }
  }

  /** Removes a member: a commit if this node commits the group, a proposal otherwise. */
  void removeMember(Step s, GroupChannel gc, PeerId member) throws SpacePandaException {
    int leaf = gc.leafOf(member);
    if (leaf < 0) {
      throw new IllegalStateException(member + " is not a member of " + gc.name());
    }
    if (mayCommit(gc)) {
      commitAndBroadcast(s, gc, CommitOptions.builder().remove(leaf).build(), null, null, null);
    } else {
      proposeRemoval(s, gc, member);
    }
  }

  /** Authors a space operation, applies and stores it, and sends it to the control group. */
  SpaceOp publish(Step s, SpaceOp.Body body) throws SpacePandaException {
    s.touch();
    SpaceOp op = a.meta.newOp(ctx.self, body);
    a.meta.apply(op);
    s.write(t -> t.appendSpaceOperation(stored(op)));
    GroupChannel control = a.control;
    long[] ls = control.nextSend();
    InnerPayload payload = new InnerPayload(0, ls[0], ls[1], op.encode());
    long epoch = control.group().epoch();
    byte[] mlsBytes = control.group().protect(payload.toBytes(), new byte[0]).toBytes();
    ctx.seen.put(MessageId.of(NodeContext.sha256(mlsBytes)), Boolean.TRUE);
    SyncEnvelope kept = new SyncEnvelope(control.id(), NodeContext.peerKey(ctx.self), ls[1],
        epoch, mlsBytes);
    s.write(t -> t.putSyncEnvelope(kept));
    broadcastGroup(s, control, mlsBytes);
    afterRolesMayHaveChanged(s);
    return op;
  }

  /**
   * Proposes a member's removal to the committer and remembers it, so that it is proposed again
   * after an epoch change that did not remove the member (proposals of past epochs are dropped).
   */
  void proposeRemoval(Step s, GroupChannel gc, PeerId member) throws SpacePandaException {
    a.wantedRemovals.computeIfAbsent(gc.id(), k -> new HashSet<>()).add(member);
    s.touch();
    propose(s, gc, gc.group().proposeRemove(gc.leafOf(member)));
  }

  private void proposeRemovalsAgain(Step s, GroupChannel gc) throws SpacePandaException {
    Set<PeerId> wanted = a.wantedRemovals.get(gc.id());
    if (wanted == null) {
      return;
    }
    for (PeerId p : List.copyOf(wanted)) {
      if (gc.leafOf(p) < 0) {
        wanted.remove(p);
      } else {
        // Even the first committer proposes and commits after the grace: another committer
        // may have removed the member already in a commit still on its way.
        propose(s, gc, gc.group().proposeRemove(gc.leafOf(p)));
      }
    }
    if (wanted.isEmpty()) {
      a.wantedRemovals.remove(gc.id());
    } else {
      commitPendingIfDue(s, gc);
    }
  }

  /** Sends a proposal to every member (the committer's commit includes it by reference). */
  void propose(Step s, GroupChannel gc, MlsMessage proposal) throws SpacePandaException {
    byte[] bytes = proposal.toBytes();
    ctx.seen.put(MessageId.of(NodeContext.sha256(bytes)), Boolean.TRUE);
    SyncProposals.keep(s, gc, gc.group().epoch(), bytes); // synced to members that lack it
    broadcastGroup(s, gc, bytes);
  }

  private void broadcastGroup(Step s, GroupChannel gc, byte[] mlsBytes) throws SpacePandaException {
    byte[] env = GroupEnvelope.seal(gc.currentKeys(), mlsBytes, ctx.padding, ctx.config.random());
    s.write(t -> GroupStore.saveGroup(t, gc));
    List<OutboxEntry> out = new ArrayList<>();
    for (PeerId r : a.others(gc)) {
      out.add(a.services.outbox().enqueue(s, env, r));
    }
    a.dispatchAfterCommit(s, out);
  }

  /** Brings local channel names in line with the space metadata, reporting each rename. */
  void applyNames(Step s) {
    Map<ChannelId, ChannelInfo> named = a.meta.view().channels();
    for (GroupChannel gc : List.copyOf(a.channels.values())) {
      ChannelInfo ci = named.get(ChannelId.of(gc.id().toBytes()));
      if (ci != null && !ci.name().equals(gc.name())) {
        String old = gc.name();
        s.touch();
        gc.rename(ci.name());
        s.write(t -> GroupStore.saveRecord(t, gc));
        Channel h = a.channelHandle(gc);
        s.event(l -> l.onChannelRenamed(h, old));
      }
    }
  }

  static SpaceOperation stored(SpaceOp op) {
    return new SpaceOperation(Id.of(op.id().bytes()), Id.of(op.spaceId().bytes()), op.lamport(),
        Id.of(op.author().bytes()), op.encode());
  }
}
