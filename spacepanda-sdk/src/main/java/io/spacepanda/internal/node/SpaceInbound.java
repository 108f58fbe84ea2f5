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
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.EncryptedGroupSecrets;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.InviteRedemption;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.util.Arrays;
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
  /** Channel join requests from peers not yet in the control group, kept until they are. */
  static final int MAX_HELD_REQUESTS = 256;

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
   * @return what became of it
   */
  InboundRouter.Outcome receiveGroup(Step s, byte[] envelope, boolean fromPending)
      throws SpacePandaException {
    Optional<TagIndex.Opened<NodeContext.EpochLabel>> opened = ctx.tags.tryOpen(envelope);
    if (opened.isEmpty()) {
      if (!fromPending) {
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
    return receiveMls(s, gc, opened.get().plaintext(), fromPending ? null : envelope);
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
    MlsMessage m = TlsReader.decodeExactly(plaintext, MlsMessage::decode);
    if (m.wireFormat() != WireFormat.PRIVATE_MESSAGE && m.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      return drop(DropReason.MALFORMED, "not a group message");
    }
    MessageId id = MessageId.of(NodeContext.sha256(plaintext));
    if (ctx.seen.getIfPresent(id) != null) {
      return drop(DropReason.DUPLICATE, "duplicate");
    }
    if (isCommit(m) && Group.epochOf(m) == gc.group().epoch()) {
      // Only the group's committers commit: a commit of anyone else is never applied (no fork).
      // It is held, not dropped, because its sender may be an admin whose promotion has not
      // reached this node yet; it is tried again when the roles or the epoch change.
      PeerId committer = peerAt(gc, gc.group().senderLeafOf(m));
      if (committer == null || !ctx.policy.mayCommit(a.meta, gc, committer)) {
        LOG.info("holding a commit of {} by {}, who is not one of its committers {}", gc.name(),
            committer, ctx.policy.committers(a.meta, gc));
        if (envelopeOrNull != null) {
          PendingEnvelopes.hold(s, ctx, envelopeOrNull);
        }
        return InboundRouter.Outcome.HELD;
      }
    }
    ProcessedMessage p;
    try {
      p = gc.group().process(m);
    } catch (MlsWrongEpochException e) {
      if (Group.epochOf(m) > gc.group().epoch()) {
        // Other members are ahead: this node must not commit the epoch they already left.
        a.aheadSeen.put(gc.id(), new SpaceActor.Ahead(Group.epochOf(m), ctx.now()));
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
      SyncEnvelope kept = new SyncEnvelope(gc.id(), ChannelSync.COMMITS, epoch, epoch, plaintext);
      s.write(t -> {
        GroupStore.saveGroup(t, gc);
        t.putSyncEnvelope(kept);
      });
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
      a.commits.commitPendingIfDue(s, gc);
    }
    return InboundRouter.Outcome.DONE;
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
    if (gc.isControl()) {
      SyncEnvelope keptOp = new SyncEnvelope(gc.id(), NodeContext.peerKey(sender),
          payload.senderSequence(), epoch, mlsBytes);
      s.write(t -> {
        GroupStore.saveGroup(t, gc);
        t.putSyncEnvelope(keptOp);
      });
      return onControlOp(s, sender, payload.body());
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

  private InboundRouter.Outcome onControlOp(Step s, PeerId author, byte[] encoded)
      throws SpacePandaException {
    SpaceOp op = SpaceOp.decode(encoded);
    if (!op.author().equals(author)) {
      return drop(DropReason.REFUSED, "space operation whose author is not its sender");
    }
    if (a.meta.apply(op) == SpaceState.Outcome.DUPLICATE) {
      return InboundRouter.Outcome.DONE;
    }
    s.write(t -> t.appendSpaceOperation(SpaceCommits.stored(op)));
    a.commits.applyNames(s);
    a.commits.afterRolesMayHaveChanged(s);
    if (!a.meta.isEffective(op.id())) {
      return InboundRouter.Outcome.DONE;
    }
    if (op.body() instanceof SpaceOp.MemberJoined mj) {
      a.services.directory().learn(mj.contact().peer(), mj.contact().addresses());
      retryHeldRequests(s);
    } else if (op.body() instanceof SpaceOp.UpdateContact uc) {
      a.services.directory().learn(uc.contact().peer(), uc.contact().addresses());
    } else if (op.body() instanceof SpaceOp.CreateChannel cc) {
      requestChannel(s, new NodeWire.ChannelInfo(cc.channelId().bytes(), cc.name(),
          author.bytes()));
    }
    return InboundRouter.Outcome.DONE;
  }

  /** Admits a joiner holding a valid invite: commits the adds and answers with the Welcomes. */
  void onJoinRequest(Step s, JoinRequest r) throws SpacePandaException {
    PeerId joiner = r.joiner().peer();
    if (!a.present || !a.commits.mayCommit(a.control)) {
      refuse(s, r, JoinResponse.Refusal.UNKNOWN);
      return;
    }
    if (r.channelKeyPackages().isEmpty()) {
      drop(DropReason.MALFORMED, "join request without a channel KeyPackage");
      return;
    }
    KeyPackage kpControl = NodeContext.keyPackageOf(r.spaceKeyPackage(), joiner);
    KeyPackage kpChannel = NodeContext.keyPackageOf(r.channelKeyPackages().get(0), joiner);
    // The redemption is a write of this step's transaction; a separate read decides the answer.
    java.time.Instant now = ctx.now();
    Optional<io.spacepanda.spi.Invite> invite = ctx.storage.inTransaction(
        t -> t.invite(Id.of(r.secretHash())));
    InviteRedemption outcome = invite.isEmpty() ? InviteRedemption.UNKNOWN
        : invite.get().used() ? InviteRedemption.ALREADY_USED
        : !invite.get().expiresAt().isAfter(now) ? InviteRedemption.EXPIRED
        : InviteRedemption.REDEEMED;
    if (outcome != InviteRedemption.REDEEMED) {
      refuse(s, r, switch (outcome) {
        case EXPIRED -> JoinResponse.Refusal.EXPIRED;
        case ALREADY_USED -> JoinResponse.Refusal.ALREADY_USED;
        default -> JoinResponse.Refusal.UNKNOWN;
      });
      return;
    }
    if (a.control.leafOf(joiner) >= 0) {
      refuse(s, r, JoinResponse.Refusal.ALREADY_USED);
      return;
    }
    s.write(t -> {
      if (t.redeemInvite(Id.of(r.secretHash()), now) != InviteRedemption.REDEEMED) {
        throw new io.spacepanda.spi.StorageException("the invite was redeemed concurrently");
      }
    });
    a.services.directory().learn(joiner, r.joiner().addresses());
    GroupChannel general = defaultChannel();
    byte[][] welcomes = new byte[2][];
    byte[] inboxKey = r.joiner().inboxKey();
    a.commits.commitAndBroadcast(s, a.control, CommitOptions.builder().add(kpControl)
        .ratchetTreeInWelcome(true).build(), joiner, inboxKey, w -> {
          welcomes[0] = w;
          return null;
        });
    a.commits.commitAndBroadcast(s, general, CommitOptions.builder().add(kpChannel)
        .ratchetTreeInWelcome(true).build(), joiner, inboxKey, w -> {
          welcomes[1] = w;
          return null;
        });
    a.commits.publish(s, new SpaceOp.MemberJoined(r.joiner()));
    JoinResponse accepted = JoinResponse.accepted(r.spaceId(), a.meta.owner(), welcomes[0],
        List.of(new JoinResponse.ChannelWelcome(ChannelId.of(general.id().toBytes()), welcomes[1])),
        a.meta.log(), List.copyOf(a.meta.view().contacts().values()));
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), joiner, inboxKey,
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, accepted.encode())));
  }

  private void refuse(Step s, JoinRequest r, JoinResponse.Refusal reason)
      throws SpacePandaException {
    LOG.info("refusing a join request: {}", reason);
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), r.joiner().peer(),
        r.joiner().inboxKey(), new NodeWire.Join(NodeWire.JOIN_RESPONSE,
            JoinResponse.refused(r.spaceId(), reason).encode())));
  }

  /** Asks a channel's owner to add this node, with a fresh KeyPackage kept until the Welcome. */
  void requestChannel(Step s, NodeWire.ChannelInfo ci) throws SpacePandaException {
    PeerId owner = PeerId.fromBytes(ci.owner());
    Id cid = Id.of(ci.channelId());
    if (owner.equals(ctx.self) || a.channels.containsKey(cid)) {
      return;
    }
    Contact ownerInfo = a.contact(owner);
    if (ownerInfo == null) {
      LOG.debug("no inbox key for the owner of a channel");
      return;
    }
    KeyPackageBundle kp = ctx.keyPackage();
    a.channelJoins.put(cid, kp);
    s.write(t -> t.putKeyPackage(Id.of(kp.keyPackage().ref(NodeContext.SUITE)),
        SecretBlob.copyOf(kp.toBytes())));
    NodeWire.ChannelJoinRequest r = new NodeWire.ChannelJoinRequest(a.spaceId.toBytes(),
        ci.channelId(), a.services.directory().myInfo(), MlsMessage.of(kp.keyPackage()).toBytes());
    a.channelRequests.put(cid, new ChannelRequest(owner, r));
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), owner,
        ownerInfo.inboxKey(), r));
  }

  /**
   * Sends again, to the channel's owner, each join request still without a Welcome (it or the
   * Welcome may have been lost); the owner adds the member, or re-sends the kept Welcome if it
   * did already. Once per sync round ({@link ChannelSync}), while the owner is connected.
   */
  void resendChannelRequests(Step s) throws SpacePandaException {
    for (ChannelRequest c : List.copyOf(a.channelRequests.values())) {
      Id cid = Id.of(c.request().channelId());
      Contact owner = a.contact(c.owner());
      if (a.channels.containsKey(cid) || !a.channelJoins.containsKey(cid) || owner == null) {
        a.channelRequests.remove(cid);
        continue;
      }
      io.spacepanda.spi.Transport t = ctx.transportOrNull();
      if (t != null && t.connectedPeers().contains(c.owner())) {
        // only to a connected owner: to one away, the first copy is still being retried
        a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), c.owner(),
            owner.inboxKey(), c.request()));
      }
    }
  }

  /** A channel join request this node sent, and to whom. */
  record ChannelRequest(PeerId owner, NodeWire.ChannelJoinRequest request) {}

  /** Adds a space member to a channel this node commits. */
  void onChannelJoinRequest(Step s, NodeWire.ChannelJoinRequest r, boolean mayHold)
      throws SpacePandaException {
    GroupChannel gc = a.channels.get(Id.of(r.channelId()));
    PeerId member = PeerId.fromBytes(r.member().peer());
    if (gc == null || !a.present || !a.commits.mayCommit(gc)) {
      drop(DropReason.UNEXPECTED, "channel join request for an unknown channel");
      return;
    }
    if (gc.leafOf(member) >= 0) {
      // Already added: its Welcome was lost (or is on its way); send the kept one again.
      if (a.control.leafOf(member) >= 0) {
        resendWelcome(s, gc, member, r.member().inboxKey());
      }
      return;
    }
    KeyPackage kp = NodeContext.keyPackageOf(r.keyPackage(), member);
    if (a.control.leafOf(member) < 0) {
      if (mayHold && a.heldRequests.size() < MAX_HELD_REQUESTS) {
        s.touch();
        a.heldRequests.add(r);
      } else {
        drop(DropReason.REFUSED, "channel join request from a non-member");
      }
      return;
    }
    NodeWire.ChannelInfo ci = info(gc);
    a.commits.commitAndBroadcast(s, gc, CommitOptions.builder().add(kp).ratchetTreeInWelcome(true)
        .build(), member, r.member().inboxKey(), w -> new NodeWire.ChannelWelcome(r.spaceId(), ci,
            w));
  }

  void retryHeldRequests(Step s) throws SpacePandaException {
    int n = a.heldRequests.size();
    for (int i = 0; i < n; i++) {
      onChannelJoinRequest(s, a.heldRequests.poll(), false);
    }
  }

  /**
   * Re-sends the kept Welcome of a member of a channel this node commits (its first one was
   * lost); the member opens it with the KeyPackage it kept, at that Welcome's epoch, and fetches
   * the later commits by sync.
   *
   * @return true if a Welcome was kept and is queued again
   */
  boolean resendWelcome(Step s, GroupChannel gc, PeerId member, byte[] inboxKey)
      throws SpacePandaException {
    Id key = ChannelSync.welcomeKey(member);
    List<SyncEnvelope> kept = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(gc.id(), key, 0, ChannelSync.KEEP_PER_SENDER));
    SyncEnvelope latest = null;
    for (SyncEnvelope k : kept) {
      if (k.mlsMessageLength() > 0) {
        latest = k;
      }
    }
    if (latest == null) {
      LOG.debug("no kept Welcome of {} to send again", member);
      return false;
    }
    s.touch();
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), member,
        inboxKey, new NodeWire.ChannelWelcome(a.spaceId.toBytes(), info(gc),
            latest.mlsMessage())));
    return true;
  }

  /** Joins a channel from the Welcome its owner sent (or sent again). */
  void onChannelWelcome(Step s, NodeWire.ChannelWelcome w) throws SpacePandaException {
    Id cid = Id.of(w.channel().channelId());
    KeyPackageBundle kp = a.channelJoins.get(cid);
    if (kp == null || !welcomes(w.welcome(), kp)) {
      // A Welcome sent again answers an earlier request, whose KeyPackage is stored.
      KeyPackageBundle stored = storedKeyPackage(w.welcome());
      kp = stored != null ? stored : kp;
    }
    if (kp == null || a.channels.containsKey(cid) || !a.present) {
      drop(DropReason.UNEXPECTED, "unexpected channel welcome");
      return;
    }
    Group g = ctx.joinGroup(w.welcome(), kp);
    if (!Arrays.equals(g.groupId(), w.channel().channelId())) {
      drop(DropReason.UNEXPECTED, "welcome for another group");
      return;
    }
    s.touch();
    a.channelJoins.remove(cid);
    Id ref = Id.of(kp.keyPackage().ref(NodeContext.SUITE));
    GroupChannel gc = new GroupChannel(cid, a.spaceId, w.channel().name(),
        GroupChannel.KIND_TEXT, PeerId.fromBytes(w.channel().owner()), ctx.now(), g, 0, 0);
    s.write(t -> {
      t.deleteKeyPackage(ref);
      GroupStore.saveChannel(t, gc);
    });
    a.register(gc);
    Channel h = a.channelHandle(gc);
    s.event(l -> l.onChannelCreated(h));
    s.afterCommit(() -> ctx.bus.publish(new EventBus.GroupJoined(cid)));
  }

  /** A channel owner invites this node: ask it to add us. */
  void onChannelInvite(Step s, NodeWire.ChannelInvite i) throws SpacePandaException {
    if (!a.present || a.channels.containsKey(Id.of(i.channel().channelId()))) {
      drop(DropReason.UNEXPECTED, "unexpected channel invite");
      return;
    }
    requestChannel(s, i.channel());
  }

  /** @return whether the Welcome has secrets for this KeyPackage */
  private static boolean welcomes(byte[] welcomeBytes, KeyPackageBundle kp)
      throws SpacePandaException {
    Welcome w = TlsReader.decodeExactly(welcomeBytes, MlsMessage::decode).welcome();
    if (w == null) {
      return false;
    }
    byte[] ref = kp.keyPackage().ref(NodeContext.SUITE);
    for (EncryptedGroupSecrets egs : w.secrets()) {
      if (Arrays.equals(egs.newMember(), ref)) {
        return true;
      }
    }
    return false;
  }

  private KeyPackageBundle storedKeyPackage(byte[] welcomeBytes) throws SpacePandaException {
    Welcome w = TlsReader.decodeExactly(welcomeBytes, MlsMessage::decode).welcome();
    if (w == null) {
      return null;
    }
    for (EncryptedGroupSecrets egs : w.secrets()) {
      Optional<SecretBlob> found = ctx.storage.inTransaction(
          t -> t.keyPackage(Id.of(egs.newMember())));
      if (found.isPresent()) {
        return KeyPackageBundle.fromBytes(found.get().revealBytes());
      }
    }
    return null;
  }

  private GroupChannel defaultChannel() {
    GroupChannel best = null;
    for (GroupChannel gc : a.channels.values()) {
      if (gc.owner().equals(a.control.owner())
          && (best == null || gc.createdAt().isBefore(best.createdAt())
              || (gc.name().equals(SpaceActor.DEFAULT_CHANNEL)
                  && !best.name().equals(SpaceActor.DEFAULT_CHANNEL)))) {
        best = gc;
      }
    }
    if (best == null) {
      throw new IllegalStateException("space has no default channel");
    }
    return best;
  }

  static NodeWire.ChannelInfo info(GroupChannel gc) {
    return new NodeWire.ChannelInfo(gc.id().toBytes(), gc.name(), gc.owner().bytes());
  }

  private InboundRouter.Outcome drop(DropReason reason, String why) {
    ctx.drop(reason, why);
    return InboundRouter.Outcome.DROPPED;
  }
}
