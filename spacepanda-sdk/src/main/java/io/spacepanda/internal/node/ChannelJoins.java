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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    a.dispatchAfterCommit(s, sent(cid, owner, a.services.messenger().send(s, a.services.outbox(),
        owner, ownerInfo.inboxKey(), r)));
  }

  /** At most this many copies of one channel's join requests are remembered for withdrawal. */
  static final int MAX_REQUEST_COPIES = 32;

  /**
   * The copies of this node's channel join requests, by channel, kept in memory until it joins
   * the channel; then those still queued are withdrawn, so that a manager away meanwhile does not
   * add this node a second time, in an epoch it has not caught up from (a fork), when it returns.
   */
  private final java.util.Map<Id, java.util.ArrayDeque<Copy>> requestCopies = new java.util.HashMap<>();

  /** One queued copy of a request. */
  private record Copy(Id envelopeId, PeerId to) {}

  /** Remembers the copies of a request to {@code to}; returns them. */
  private List<io.spacepanda.spi.OutboxEntry> sent(Id cid, PeerId to,
      List<io.spacepanda.spi.OutboxEntry> entries) {
    java.util.ArrayDeque<Copy> copies = requestCopies.computeIfAbsent(cid, k -> new java.util.ArrayDeque<>());
    for (io.spacepanda.spi.OutboxEntry e : entries) {
      if (copies.size() >= MAX_REQUEST_COPIES) {
        copies.removeFirst(); // the oldest went to a connected manager long ago
      }
      copies.addLast(new Copy(e.envelopeId(), to));
    }
    return entries;
  }

  /** Withdraws the copies of this node's requests for a channel it has joined. */
  private void withdrawCopies(Step s, Id cid) {
    java.util.ArrayDeque<Copy> copies = requestCopies.remove(cid);
    askRounds.remove(cid);
    if (copies != null) {
      LOG.debug("withdrawing {} copies of this node's join requests for a channel it joined", copies.size());
      for (Copy c : copies) {
        a.services.outbox().withdraw(s, c.envelopeId(), c.to());
      }
    }
  }

  /**
   * Sends again each join request still without a Welcome (it or the Welcome may have been lost),
   * once per sync round ({@link ChannelSync}), to one connected manager of the space: the
   * channel's creator first, then the space's owner, then its admins in an order hashed from the
   * channel id (every member of the space, hashed, when it has no manager left). Each gets {@value
   * #ROUNDS_PER_MANAGER} rounds before the request goes to the next, so a channel whose creator is
   * away for good still admits members through another manager that is in it (issue 11). A manager
   * that added this node already re-sends the kept Welcome; one that is not in the channel drops
   * the request.
   */
  void resendChannelRequests(Step s) throws SpacePandaException {
    if (!heldWhileBehind.isEmpty()) {
      // those held while this node caught up
      List<NodeWire.ChannelJoinRequest> again = List.copyOf(heldWhileBehind.values());
      heldWhileBehind.clear();
      for (NodeWire.ChannelJoinRequest r : again) {
        onChannelJoinRequest(s, r, true);
      }
    }
    io.spacepanda.spi.Transport t = ctx.transportOrNull();
    for (ChannelRequest c : List.copyOf(a.channelRequests.values())) {
      Id cid = Id.of(c.request().channelId());
      boolean rejoin = a.channels.containsKey(cid) && rejoinRounds.containsKey(cid)
          && rejoinRounds.get(cid) < REJOIN_ROUNDS;
      if ((a.channels.containsKey(cid) && !rejoin) || !a.channelJoins.containsKey(cid)) {
        withdrawCopies(s, cid);
        endRequest(s, cid);
        continue;
      }
      if (t == null) {
        continue;
      }
      if (rejoin) {
        rejoinRounds.merge(cid, 1, Integer::sum);
      }
      Set<PeerId> connected = t.connectedPeers();
      List<PeerId> reachable = new ArrayList<>();
      for (PeerId p : managers(c.owner(), cid)) {
        if (connected.contains(p) && a.contact(p) != null) {
          reachable.add(p);
        }
      }
      if (reachable.isEmpty()) {
        continue; // to one away, the first copy is still being retried
      }
      int round = askRounds.merge(cid, 1, Integer::sum) - 1;
      PeerId target = reachable.get((round / ROUNDS_PER_MANAGER) % reachable.size());
      LOG.debug("asking {} again to add this node to a channel (round {})", target, round);
      a.dispatchAfterCommit(s, sent(cid, target, a.services.messenger().send(s,
          a.services.outbox(), target, a.contact(target).inboxKey(), c.request())));
    }
  }

  /**
   * Channel join requests this node, a manager, got while it may have been behind, by channel and
   * member; looked at again each sync round. In memory only: the requester asks again.
   */
  private final java.util.Map<String, NodeWire.ChannelJoinRequest> heldWhileBehind =
      new java.util.LinkedHashMap<>();

  /** Sync rounds a channel join request is sent to one manager before it goes to the next. */
  static final int ROUNDS_PER_MANAGER = 2;

  /** Rounds each pending channel join request was sent again, by channel; in memory only. */
  private final java.util.Map<Id, Integer> askRounds = new java.util.HashMap<>();

  /**
   * Who may add this node to a channel, in the order it asks them: the channel's creator, the
   * space's owner, the admins by SHA-256 of the channel id and their peer id; every other member
   * in that order when the space has no owner or admin left. This node is never among them.
   */
  private List<PeerId> managers(PeerId creator, Id channelId) {
    java.util.Map<PeerId, io.spacepanda.Role> roles = a.meta.view().members();
    List<PeerId> pool = new ArrayList<>();
    for (java.util.Map.Entry<PeerId, io.spacepanda.Role> e : roles.entrySet()) {
      if (e.getValue() == io.spacepanda.Role.OWNER || e.getValue() == io.spacepanda.Role.ADMIN) {
        pool.add(e.getKey());
      }
    }
    if (pool.isEmpty()) {
      pool.addAll(roles.keySet());
    }
    List<PeerId> order = new ArrayList<>(CommitPolicy.ordered(pool, creator,
        a.meta.view().owner(), 0, channelId.toBytes()));
    order.remove(ctx.self);
    return order;
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
    if (mayBeBehind(gc)) {
      // Just reachable again, or messages of a later epoch were seen: another manager may have
      // added the member while this node was cut off (its request waited in an outbox or a
      // mailbox). Adding it here now would commit an epoch the others left: a fork. Held, and
      // looked at again once this node caught up (each sync round and after each commit).
      String key = gc.id() + "/" + member;
      if (heldWhileBehind.containsKey(key) || heldWhileBehind.size() < MAX_HELD_REQUESTS) {
        LOG.debug("holding {}'s request for {} until this node has caught up", member, gc.name());
        s.touch();
        heldWhileBehind.put(key, r); // the latest request of a member for a channel
      } else {
        drop(DropReason.REFUSED, "too many held channel join requests");
      }
      return;
    }
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

  /**
   * Whether this node may have missed commits of a group: another of its committers was cut off
   * from this node and reached it again less than the outbox's longest backoff ago (or the
   * committer timeout, if longer; its commits made meanwhile may still be on their way), or this
   * node saw a message of a later epoch of the group within four committer timeouts (bounded, as
   * for proposals). A group this node alone commits is never behind by its own commits.
   */
  private boolean mayBeBehind(GroupChannel gc) {
    if (!a.reconnectedAt.isEmpty()) {
      for (PeerId c : ctx.policy.committers(a.meta, gc)) {
        java.time.Instant at = a.reconnectedAt.get(c);
        if (at != null && !c.equals(ctx.self) && ctx.now().isBefore(at.plus(a.quietWindow()))) {
          return true;
        }
      }
    }
    return a.catchingUp(gc.id(), gc.group().epoch());
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
    withdrawCopies(s, cid);
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
