package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.message.EncryptedGroupSecrets;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.NodeRecord;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SyncEnvelope;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a space's members get into its channels: a member asks a channel's owner to add it (and asks
 * again while no Welcome came), the owner adds it or re-sends the Welcome it kept, and the member
 * joins from the Welcome. Split from {@link SpaceInbound}; every method runs inside a step of the
 * owning {@link SpaceActor}, on its lane.
 */
final class ChannelJoins {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelJoins.class);
  /** Channel join requests from peers not yet in the control group, kept until they are. */
  static final int MAX_HELD_REQUESTS = 256;

  private final SpaceActor a;
  private final NodeContext ctx;

  ChannelJoins(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
  }

  /** Asks a channel's owner to add this node, with a fresh KeyPackage kept until the Welcome. */
  void requestChannel(Step s, NodeWire.ChannelInfo ci) throws SpacePandaException {
    if (a.channels.containsKey(Id.of(ci.channelId()))) {
      return;
    }
    sendRequest(s, ci);
  }

  /**
   * Asks a channel's owner to add this node again, although it holds the channel: its copy is of
   * a fork's losing branch that it joined on (it holds no state of the epoch the branches split
   * from, so it cannot move by itself; issue 11). Sent when a member of another branch's summary
   * shows the fork ({@link Forks#onSummary}) or a committer invites this node to the channel
   * again ({@link ForkRedo}). The owner adds it with the fresh KeyPackage if its branch lacks it,
   * and the Welcome to that KeyPackage replaces the copy ({@link #onChannelWelcome}, {@link
   * Forks#rejoin}); if the owner's branch has it, the owner sends the kept Welcome of the earlier
   * join, which ends the request. Asked again each sync round, at most {@link #REJOIN_ROUNDS}
   * times; kept in memory only (asked again after a restart at the next summary or invite).
   */
  void requestAgain(Step s, GroupChannel gc) throws SpacePandaException {
    Id cid = gc.id();
    if (a.channelJoins.containsKey(cid) || gc.owner().equals(ctx.self) || !a.present) {
      return;
    }
    LOG.info("{} is on a branch that this node joined and another member left; asking {} to add"
        + " this node again", gc.name(), gc.owner());
    rejoinRounds.put(cid, 0);
    s.onFailure(() -> rejoinRounds.remove(cid));
    sendRequest(s, SpaceInbound.info(gc));
  }

  /** Rounds left for a re-request of a held channel ({@link #requestAgain}), by channel. */
  private final java.util.Map<Id, Integer> rejoinRounds = new java.util.HashMap<>();
  /** Sync rounds a re-request of a held channel is sent again before it is given up. */
  static final int REJOIN_ROUNDS = 20;

  private void sendRequest(Step s, NodeWire.ChannelInfo ci) throws SpacePandaException {
    PeerId owner = PeerId.fromBytes(ci.owner());
    Id cid = Id.of(ci.channelId());
    if (owner.equals(ctx.self)) {
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
    LOG.debug("asking {} to add this node to channel {}", owner, ci.name());
    NodeRecord kept = new NodeRecord(NodeRecord.KIND_CHANNEL_REQUEST, cid, encode(owner, r));
    s.write(t -> t.putNodeRecord(kept)); // asked again after a restart too (restoreRequests)
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
      boolean rejoin = a.channels.containsKey(cid) && rejoinRounds.containsKey(cid)
          && rejoinRounds.get(cid) < REJOIN_ROUNDS;
      if ((a.channels.containsKey(cid) && !rejoin) || !a.channelJoins.containsKey(cid)
          || owner == null) {
        endRequest(s, cid);
        continue;
      }
      if (rejoin) {
        rejoinRounds.merge(cid, 1, Integer::sum);
      }
      io.spacepanda.spi.Transport t = ctx.transportOrNull();
      if (t != null && t.connectedPeers().contains(c.owner())) {
        // only to a connected owner: to one away, the first copy is still being retried
        LOG.debug("asking {} again to add this node to a channel", c.owner());
        a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), c.owner(),
            owner.inboxKey(), c.request()));
      }
    }
  }

  /** Ends a channel join request: forgets it and its KeyPackage. */
  private void endRequest(Step s, Id cid) {
    a.channelRequests.remove(cid);
    rejoinRounds.remove(cid);
    KeyPackageBundle kp = a.channelJoins.get(cid);
    if (kp != null && a.channels.containsKey(cid)) {
      // A re-request of a held channel: its KeyPackage is of no use any more.
      a.channelJoins.remove(cid);
      Id ref = Id.of(kp.keyPackage().ref(NodeContext.SUITE));
      s.write(t -> t.deleteKeyPackage(ref));
    }
    s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_CHANNEL_REQUEST, cid));
  }

  /** A channel join request this node sent, and to whom. */
  record ChannelRequest(PeerId owner, NodeWire.ChannelJoinRequest request) {}

  /** The stored form of a pending request: {@code opaque owner<V>; opaque request<V>}. */
  private static byte[] encode(PeerId owner, NodeWire.ChannelJoinRequest r) {
    return new io.spacepanda.internal.mls.codec.TlsWriter().opaque(owner.bytes())
        .opaque(r.toBytes()).toByteArray();
  }

  /**
   * Takes back, after a restart, the channel join requests this node sent that got no Welcome
   * yet, with the KeyPackages they carry (kept in the store until the Welcome), so that they are
   * sent again each sync round ({@link #resendChannelRequests}); after the spaces were loaded,
   * before any step runs. A record this node cannot use any more (its space or KeyPackage is gone,
   * it joined the channel, or the record is malformed) is deleted.
   *
   * @param ctx the node
   * @throws io.spacepanda.spi.StorageException if the store fails
   */
  static void restoreRequests(NodeContext ctx) throws io.spacepanda.spi.StorageException {
    List<NodeRecord> stored = ctx.storage.inTransaction(
        t -> t.nodeRecords(NodeRecord.KIND_CHANNEL_REQUEST));
    for (NodeRecord rec : stored) {
      boolean used = false;
      try {
        byte[][] parts = TlsReader.decodeExactly(rec.value(), x -> new byte[][] {
            x.opaque(NodeWire.MAX_FIELD), x.opaque(NodeWire.MAX_MAILBOX_ENVELOPE)});
        PeerId owner = PeerId.fromBytes(parts[0]);
        NodeWire.ChannelJoinRequest r = (NodeWire.ChannelJoinRequest) NodeWire.decode(parts[1]);
        SpaceActor a = ctx.spaces.get(Id.of(r.spaceId()));
        used = a != null && a.joins.restore(owner, r);
      } catch (io.spacepanda.internal.mls.MlsException | ClassCastException
          | IllegalArgumentException e) {
        LOG.debug("dropping a stored channel join request: {}", e.toString());
      }
      if (!used) {
        ctx.storage.inTransaction(t -> t.deleteNodeRecord(rec.kind(), rec.key()));
      }
    }
  }

  /** Takes back one stored request of this space; false if it cannot be used any more. */
  private boolean restore(PeerId owner, NodeWire.ChannelJoinRequest r)
      throws io.spacepanda.spi.StorageException, io.spacepanda.internal.mls.MlsException {
    Id cid = Id.of(r.channelId());
    KeyPackage kp = TlsReader.decodeExactly(r.keyPackage(), MlsMessage::decode).keyPackage();
    if (kp == null || !a.present || a.channels.containsKey(cid)) {
      return false;
    }
    Optional<SecretBlob> secret = ctx.storage.inTransaction(
        t -> t.keyPackage(Id.of(kp.ref(NodeContext.SUITE))));
    if (secret.isEmpty()) {
      return false;
    }
    a.channelJoins.put(cid, KeyPackageBundle.fromBytes(secret.get().revealBytes()));
    a.channelRequests.put(cid, new ChannelRequest(owner, r));
    return true;
  }

  /** Adds a space member to a channel this node commits. */
  void onChannelJoinRequest(Step s, NodeWire.ChannelJoinRequest r, boolean mayHold)
      throws SpacePandaException {
    GroupChannel gc = a.channels.get(Id.of(r.channelId()));
    PeerId member = PeerId.fromBytes(r.member().peer());
    if (gc == null || !a.present || !a.commits.mayCommit(gc)) {
      LOG.debug("refusing {}'s request for a channel: known {}, present {}, committer {}", member,
          gc != null, a.present, gc != null && a.commits.mayCommit(gc));
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
        LOG.debug("holding {}'s request for {} until it is in the control group", member,
            gc.name());
        s.touch();
        a.heldRequests.add(r);
      } else {
        drop(DropReason.REFUSED, "channel join request from a non-member");
      }
      return;
    }
    NodeWire.ChannelInfo ci = SpaceInbound.info(gc);
    LOG.debug("adding {} to {}", member, gc.name());
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
    LOG.debug("sending {} its kept Welcome to {} again", member, gc.name());
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), member,
        inboxKey, new NodeWire.ChannelWelcome(a.spaceId.toBytes(), SpaceInbound.info(gc),
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
    GroupChannel held = a.channels.get(cid);
    KeyPackageBundle fresh = a.channelJoins.get(cid);
    if (held != null && a.present && fresh != null && welcomes(w.welcome(), fresh)) {
      // This node asked to be added again to a channel it holds (requestAgain): added.
      Group g = ctx.joinGroup(w.welcome(), fresh);
      if (Arrays.equals(g.groupId(), w.channel().channelId())) {
        a.forks.rejoin(s, held, g);
      }
      endRequest(s, cid);
      return;
    }
    if (held != null && a.present && kp != null && kp != fresh) {
      // A re-admission after a fork: a manager of the winning branch added this node again with
      // the KeyPackage it joined the space with (ReadmitKeys).
      Group g = ctx.joinGroup(w.welcome(), kp);
      if (Arrays.equals(g.groupId(), w.channel().channelId())) {
        if (a.forks.rejoin(s, held, g) || fresh != null) {
          endRequest(s, cid);
        }
        return;
      }
    }
    if (held != null && fresh != null) {
      // The owner sent the kept Welcome of this node's earlier join: its branch has this node.
      LOG.debug("the owner of {} has this node on its branch; no longer asking again",
          held.name());
      endRequest(s, cid);
      return;
    }
    if (kp == null || a.channels.containsKey(cid) || !a.present) {
      LOG.debug("ignoring a Welcome to {}: KeyPackage kept {}, joined already {}, present {}",
          w.channel().name(), kp != null, a.channels.containsKey(cid), a.present);
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
    a.channelRequests.remove(cid);
    s.write(t -> {
      t.deleteKeyPackage(ref);
      t.deleteNodeRecord(NodeRecord.KIND_CHANNEL_REQUEST, cid);
      GroupStore.saveChannel(t, gc);
    });
    a.register(gc);
    LOG.debug("joined {} at epoch {}", gc.name(), g.epoch());
    Channel h = a.channelHandle(gc);
    s.event(l -> l.onChannelCreated(h));
    s.afterCommit(() -> ctx.bus.publish(new EventBus.GroupJoined(cid)));
  }

  /** A channel owner invites this node: ask it to add us. */
  void onChannelInvite(Step s, NodeWire.ChannelInvite i) throws SpacePandaException {
    GroupChannel held = a.channels.get(Id.of(i.channel().channelId()));
    if (a.present && held != null && !a.channelJoins.containsKey(held.id())) {
      // Invited to a channel this node holds: a committer that moved to a fork's winning branch
      // lacks it there (ForkRedo). Ask the owner to add it again; nothing changes unless a
      // Welcome to the fresh KeyPackage comes.
      requestAgain(s, held);
      return;
    }
    if (!a.present || held != null) {
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

  /** @return a stored KeyPackage the Welcome has secrets for, or null */
  KeyPackageBundle storedKeyPackage(byte[] welcomeBytes) throws SpacePandaException {
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

  private void drop(DropReason reason, String why) {
    ctx.drop(reason, why);
  }
}
