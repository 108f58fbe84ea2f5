package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.NotMemberException;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.HistoryCursor;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One space as an actor: its control group, its channels and everything done to them, run one
 * step at a time on the space's own {@link Lane}.
 *
 * <p>The space is the unit of consistency: a commit to the control group cascades into its
 * channels (a removed member is removed from the channels this node commits), so one lane owns
 * them all. Every API call on the space or one of its channels becomes one step (one storage
 * transaction), and so does every inbound envelope of its groups ({@link SpaceInbound}); commits
 * and proposals are made by {@link SpaceCommits}. Two spaces run in parallel. The getters of the
 * API read the {@link SpaceSnapshot} published after each committed step, never the live state.
 *
 * <p>Threading: every field below except {@link #snapshot} is confined to the lane.
 */
final class SpaceActor implements StepRunner.Owner {

  private static final Logger LOG = LoggerFactory.getLogger(SpaceActor.class);
  static final String DEFAULT_CHANNEL = "general";
  static final Duration INVITE_LIFETIME = Duration.ofDays(7);

  final NodeContext ctx;
  final Services services;
  final Id spaceId;
  final Lane lane;
  final SpaceCommits commits;
  /** Path refreshes of this node's groups (tree health). */
  final PathRefresh refresh;
  final SpaceInbound inbound;
  final ChannelJoins joins;
  final Forks forks;
  /** Invites issued and join requests admitted (also for an issuer that is away). */
  final InviteDesk invites;

  SpaceRecord record;
  SpaceState meta;
  GroupChannel control;
  final Map<Id, GroupChannel> channels = new LinkedHashMap<>();
  final Map<Id, KeyPackageBundle> channelJoins = new HashMap<>();
  /** The join requests sent for {@link #channelJoins}, to send again while no Welcome came. */
  final Map<Id, ChannelJoins.ChannelRequest> channelRequests = new HashMap<>();
  final ArrayDeque<NodeWire.ChannelJoinRequest> heldRequests = new ArrayDeque<>();
  final Set<PeerId> leaving = new HashSet<>();
  final Map<Id, Set<PeerId>> wantedRemovals = new HashMap<>();
  /** Groups with envelopes held because earlier messages of their sender were missing. */
  final Set<Id> heldAhead = new HashSet<>();
  /**
   * Per group, since when proposals of its current epoch wait here for a commit, and when the
   * fallback timer fires; see {@link SpaceCommits#commitPendingIfDue}.
   */
  final Map<Id, Due> due = new HashMap<>();
  /**
   * Per group, the latest epoch seen in a message this node could not process yet because its
   * group is behind, and when; see {@link SpaceCommits#commitPendingIfDue}.
   */
  final Map<Id, Ahead> aheadSeen = new HashMap<>();

  /** A message of a later epoch was seen at {@code at}. */
  record Ahead(long epoch, java.time.Instant at) {}

  /**
   * When this node last applied a received commit of a group (so entered its current epoch); in
   * memory only. See {@link SpaceInbound}'s catch-up hold.
   */
  final Map<Id, java.time.Instant> epochEnteredAt = new HashMap<>();

  /** Peers this node lost its connection to and has not reached again. */
  final Set<PeerId> lostPeers = new HashSet<>();
  /**
   * When this node reached each lost peer again, for the outbox's longest backoff afterwards:
   * until then that peer's commits made while cut off may still be on their way ({@link
   * ChannelJoins}).
   */
  final Map<PeerId, java.time.Instant> reconnectedAt = new HashMap<>();
  /** How long a peer reached again may still bring its copies: max(outbox backoff, timeout). */
  java.time.Duration quietWindow() {
    java.time.Duration d = ctx.config.committerTimeout();
    return d.compareTo(Outbox.MAX_BACKOFF) > 0 ? d : Outbox.MAX_BACKOFF;
  }

  /**
   * Whether this node is catching up in a group: it saw a message of a later epoch than {@code
   * epoch} less than four committer timeouts ago (bounded, so that a member lying about its epoch
   * only delays this node's commits).
   */
  boolean catchingUp(Id groupId, long epoch) {
    Ahead ahead = aheadSeen.get(groupId);
    return ahead != null && ahead.epoch() > epoch
        && ctx.now().isBefore(ahead.at().plus(ctx.config.committerTimeout().multipliedBy(4)));
  }

  /** Until when this node commits no proposals of others (see the constructor). */
  java.time.Instant quietUntil = java.time.Instant.MIN;
  /** Who could manage the space after the latest step, to report changes. */
  io.spacepanda.SpaceGovernance governance;
  /** The roles after the latest step, to notice changes. */
  Map<PeerId, Role> rolesSeen = Map.of();
  /** False once this node is no longer a member of the space's control group. */
  boolean present = true;
  private volatile SpaceSnapshot snapshot;
  /** A digest of what {@link #snapshot} was built from; lane-confined. */
  private long snapshotKey;

  /**
   * Proposals of a group's epoch wait since {@code since}; a timer is armed for {@code armedAt};
   * nothing is committed before {@code notBefore} (null: no such bound).
   */
  record Due(long epoch, java.time.Instant since, java.time.Instant armedAt,
      java.time.Instant notBefore) {
    Due(long epoch, java.time.Instant since) {
      this(epoch, since, null, null);
    }
  }

  /** The node-wide services a space uses. */
  record Services(Outbox outbox, DirectMessenger messenger, PeerDirectory directory,
      Handles handles) {}

  private SpaceActor(NodeContext ctx, Services services, Id spaceId) {
    this.ctx = ctx;
    this.services = services;
    this.spaceId = spaceId;
    this.lane = new Lane("space " + spaceId, ActorKind.SPACE, ctx.workers);
    this.commits = new SpaceCommits(this);
    this.refresh = new PathRefresh(this);
    this.inbound = new SpaceInbound(this);
    this.joins = new ChannelJoins(this);
    this.forks = new Forks(this);
    this.invites = new InviteDesk(this);
    // A member reachable again may bring commits made while it was cut off: hold back the
    // commits of others' proposals for the outbox's longest backoff (or the committer timeout if
    // longer), so this node follows them instead of committing the same epoch again (a fork).
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerLost pl) {
        lane.execute(() -> lostPeers.add(pl.peer()));
      } else if (e instanceof EventBus.PeerConnected pc) {
        lane.execute(() -> {
          if (lostPeers.remove(pc.peer())) {
            // Copies made while cut off reach this node within the outbox's longest backoff.
            quietUntil = ctx.now().plus(quietWindow());
            reconnectedAt.values().removeIf(at -> at.plus(quietWindow()).isBefore(ctx.now()));
            reconnectedAt.put(pc.peer(), ctx.now());
          }
        });
      }
    });
  }

  /**
   * Makes the actor of a space loaded from storage or just created or joined, and registers its
   * groups for routing; call on the lane that made the state, before other lanes can see it.
   */
  static SpaceActor of(NodeContext ctx, Services services, GroupStore.LoadedSpace s) {
    SpaceActor a = new SpaceActor(ctx, services, s.record().spaceId());
    a.adopt(s);
    return a;
  }

  private void adopt(GroupStore.LoadedSpace s) {
    for (GroupChannel gc : List.copyOf(channels.values())) {
      unregister(gc);
    }
    if (control != null) {
      unregister(control);
    }
    record = s.record();
    meta = s.meta();
    governance = meta.view().governance();
    rolesSeen = meta.view().members();
    control = s.control();
    present = true;
    register(control);
    for (GroupChannel gc : s.channels()) {
      register(gc);
    }
    stepCommitted();
  }

  // ---------------------------------------------------------------------------------------------
  // Steps, registration, views

  /** Runs an API call or inbound envelope of this space as one step on its lane. */
  <T> CompletableFuture<T> step(StepRunner.Work<T> work) {
    return ctx.steps.submit(lane, this, work);
  }

  @Override
  public void rollBack() {
    try {
      GroupStore.LoadedSpace[] loaded = new GroupStore.LoadedSpace[1];
      ctx.storage.<Void, MlsException>inTransaction(t -> {
        Optional<SpaceRecord> r = t.spaces().stream()
            .filter(x -> x.spaceId().equals(spaceId)).findFirst();
        if (r.isPresent()) {
          loaded[0] = GroupStore.load(t, r.get(), ctx.mls, ctx.config.pastEpochRetention());
        }
        return null;
      });
      if (loaded[0] != null) {
        adopt(loaded[0]);
      }
    } catch (StorageException | MlsException | RuntimeException e) {
      LOG.warn("could not reload space {} after a failed step; keeping it in memory", spaceId, e);
    }
  }

  @Override
  public void stepCommitted() {
    // Most steps (a message sent or received) change nothing the snapshot shows: skip the
    // rebuild unless an epoch, a name, the metadata or the set of channels changed.
    long key = present ? 1 : 0;
    key = key * 31 + control.group().epoch();
    key = key * 31 + meta.view().operationCount();
    key = key * 31 + record.name().hashCode();
    for (GroupChannel gc : channels.values()) {
      key = key * 31 + gc.id().hashCode();
      key = key * 31 + gc.group().epoch();
      key = key * 31 + gc.name().hashCode();
    }
    if (snapshot != null && key == snapshotKey) {
      return;
    }
    snapshotKey = key;
    SpaceSnapshot prev = snapshot;
    Map<Id, SpaceSnapshot.ChannelSnapshot> prevChannels = prev == null ? Map.of() : prev.channels();
    snapshot = new SpaceSnapshot(spaceId, record.name(), meta.lastOwner(),
        Set.copyOf(control.members()), Map.copyOf(meta.view().members()),
        SpaceSnapshot.channelsOf(List.copyOf(channels.values()), prevChannels), present,
        meta.view().governance());
  }

  /** @return the picture after the latest committed step; safe from any thread */
  SpaceSnapshot snapshot() {
    return snapshot;
  }

  /** Starts routing a group's envelopes to this actor and refreshes its envelope keys. */
  void register(GroupChannel gc) {
    if (!gc.isControl()) {
      channels.put(gc.id(), gc);
    }
    ctx.groupOwners.put(gc.id(), this);
    for (Long e : gc.refreshKeys(ctx.config.pastEpochRetention())) {
      ctx.tags.remove(new NodeContext.EpochLabel(gc.id(), e));
    }
    for (Map.Entry<Long, io.spacepanda.internal.envelope.GroupEnvelopeKeys> k
        : gc.keys().entrySet()) {
      ctx.tags.put(new NodeContext.EpochLabel(gc.id(), k.getKey()), k.getValue());
    }
  }

  /** Stops routing a group's envelopes here (this node left it). */
  void unregister(GroupChannel gc) {
    channels.remove(gc.id());
    ctx.groupOwners.remove(gc.id(), this);
    for (Long e : gc.keys().keySet()) {
      ctx.tags.remove(new NodeContext.EpochLabel(gc.id(), e));
    }
  }

  /** @return a group (control or channel) of this space this node is a member of */
  GroupChannel group(Id groupId) {
    if (control != null && control.id().equals(groupId) && present) {
      return control;
    }
    GroupChannel gc = channels.get(groupId);
    if (gc == null) {
      throw new NotMemberException("this node is not a member of channel " + groupId);
    }
    return gc;
  }

  private void requirePresent() {
    if (!present) {
      throw new NotMemberException("this node is not a member of space " + spaceId);
    }
  }

  Set<PeerId> others(GroupChannel gc) {
    Set<PeerId> s = new TreeSet<>(gc.members());
    s.remove(ctx.self);
    return s;
  }

  Contact contact(PeerId peer) {
    return meta.view().contacts().get(peer);
  }

  Channel channelHandle(GroupChannel gc) {
    return services.handles().channel(gc.id(), spaceId, gc.name(), record.name());
  }

  /** Sends entries after the step commits. */
  void dispatchAfterCommit(Step step, List<OutboxEntry> entries) {
    if (!entries.isEmpty()) {
      step.afterCommit(() -> services.outbox().dispatch(entries));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // API operations (each one step)

  private Role myRole() {
    return meta.view().roleOf(ctx.self).orElse(null);
  }

  /** Fails with {@link io.spacepanda.RoleRequiredException} unless the roles allow the op. */
  private void requirePermitted(SpaceOp.Body body, String refused) {
    if (!meta.permits(ctx.self, body)) {
      throw new io.spacepanda.RoleRequiredException(myRole(),
          "role " + myRole() + " may not " + refused + " (see Role)");
    }
  }

  private boolean isManager() {
    Role r = myRole();
    return r == Role.OWNER || r == Role.ADMIN;
  }

  CompletableFuture<Void> setRole(PeerId member, Role role) {
    return step(s -> {
      requirePresent();
      requirePermitted(new SpaceOp.SetRole(member, role), "make " + member + " " + role);
      commits.publish(s, new SpaceOp.SetRole(member, role));
      return null;
    });
  }

  CompletableFuture<Void> transferOwnership(PeerId member) {
    return step(s -> {
      requirePresent();
      if (member.equals(ctx.self)) {
        throw new IllegalArgumentException("this node is the owner already");
      }
      requirePermitted(new SpaceOp.TransferOwnership(member),
          "transfer the ownership to " + member + "; only the owner can, to a member");
      commits.publish(s, new SpaceOp.TransferOwnership(member));
      return null;
    });
  }

  CompletableFuture<Channel> createChannel(String name) {
    return step(s -> {
      requirePresent();
      Id channelId = ctx.randomId();
      SpaceOp.Body body = new SpaceOp.CreateChannel(ChannelId.of(channelId.toBytes()), name,
          SpaceConstants.CHANNEL_KIND_TEXT);
      requirePermitted(body, "create channels; the owner or an admin can");
      GroupChannel gc = new GroupChannel(channelId, spaceId, name, GroupChannel.KIND_TEXT,
          ctx.self, ctx.now(), ctx.newGroup(channelId), 0, 0);
      s.write(t -> GroupStore.saveChannel(t, gc));
      register(gc);
      commits.publish(s, body);
      Channel h = channelHandle(gc);
      s.event(l -> l.onChannelCreated(h));
      s.afterCommit(() -> ctx.bus.publish(new EventBus.GroupJoined(channelId)));
      return h;
    });
  }

  CompletableFuture<Void> renameChannel(Id channelId, String newName) {
    return step(s -> {
      group(channelId);
      SpaceOp.Body body = new SpaceOp.RenameChannel(ChannelId.of(channelId.toBytes()), newName);
      requirePermitted(body, "rename channels; the owner or an admin can");
      commits.publish(s, body);
      commits.applyNames(s);
      return null;
    });
  }

  CompletableFuture<String> createInvite() {
    return step(s -> {
      requirePresent();
      return invites.create(s);
    });
  }

  CompletableFuture<Void> removeFromSpace(PeerId member) {
    return step(s -> {
      requirePresent();
      if (member.equals(ctx.self)) {
        throw new IllegalArgumentException("use leave() to leave a space");
      }
      Optional<SpaceOp.MemberRemoved> removal = meta.removalOf(member);
      if (removal.isEmpty() && control.leafOf(member) < 0) {
        throw new IllegalStateException(member + " is not a member of the space");
      }
      if (removal.isPresent()) {
        requirePermitted(removal.get(), "remove " + member);
        commits.publish(s, removal.get());
      } else if (!isManager() || meta.view().roleOf(member).orElse(null) == Role.OWNER) {
        throw new io.spacepanda.RoleRequiredException(myRole(), "role " + myRole()
            + " may not remove members; the owner or an admin can");
      }
      commits.removeMember(s, control, member);
      for (GroupChannel gc : List.copyOf(channels.values())) {
        if (commits.mayCommit(gc) && gc.leafOf(member) >= 0) {
          commits.removeMember(s, gc, member);
        }
      }
      return null;
    });
  }

  CompletableFuture<Void> leaveSpace() {
    return step(s -> {
      requirePresent();
      Optional<SpaceOp.MemberLeft> departure = meta.departureOf(ctx.self);
      if (departure.isPresent()) {
        commits.publish(s, departure.get());
      }
      for (GroupChannel gc : List.copyOf(channels.values())) {
        commits.proposeRemoval(s, gc, ctx.self);
      }
      commits.proposeRemoval(s, control, ctx.self);
      return null;
    });
  }

  CompletableFuture<Void> addToChannel(Id channelId, PeerId member) {
    return step(s -> {
      GroupChannel gc = group(channelId);
      if (!commits.mayCommit(gc)) {
        throw new io.spacepanda.RoleRequiredException(myRole(), "only the channel's committers "
            + ctx.policy.committers(meta, gc) + " can add");
      }
      Contact mi = contact(member);
      if (mi == null || !control.members().contains(member)) {
        throw new IllegalStateException(member + " is not a member of the space");
      }
      if (gc.leafOf(member) < 0) {
        dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), member,
            mi.inboxKey(), new NodeWire.ChannelInvite(spaceId.toBytes(), SpaceInbound.info(gc))));
      }
      return null;
    });
  }

  CompletableFuture<Void> removeFromChannel(Id channelId, PeerId member) {
    return step(s -> {
      GroupChannel gc = group(channelId);
      if (member.equals(ctx.self)) {
        throw new IllegalArgumentException("use leave() to leave a channel");
      }
      if (!isManager()) {
        throw new io.spacepanda.RoleRequiredException(myRole(),
            "role " + myRole() + " may not remove members from channels");
      }
      commits.removeMember(s, gc, member);
      return null;
    });
  }

  CompletableFuture<Void> rotateKeys(Id channelId) {
    return step(s -> {
      GroupChannel gc = group(channelId);
      if (commits.mayCommit(gc) && gc.group().pendingCommitOrNull() == null) {
        commits.commitAndBroadcast(s, gc, CommitOptions.builder().forcePath(true)
            .includePendingProposals(true).build(), null, null, null);
      } else {
        s.touch();
        commits.propose(s, gc, gc.group().proposeUpdate());
      }
      return null;
    });
  }

  CompletableFuture<Void> leaveChannel(Id channelId) {
    return step(s -> {
      GroupChannel gc = group(channelId);
      commits.proposeRemoval(s, gc, ctx.self);
      return null;
    });
  }

  CompletableFuture<Message> send(Id channelId, byte[] body, int contentType) {
    return step(s -> {
      GroupChannel gc = group(channelId);
      if (gc.isControl()) {
        throw new IllegalStateException("cannot send to a control group");
      }
      s.touch();
      long[] ls = gc.nextSend();
      InnerPayload payload = new InnerPayload(contentType, ls[0], ls[1], body);
      byte[] mlsBytes = gc.group().protect(payload.toBytes(), new byte[0]).toBytes();
      MessageId id = MessageId.of(NodeContext.sha256(mlsBytes));
      Id key = Id.of(id.toBytes());
      byte[] env = GroupEnvelope.seal(gc.currentKeys(), mlsBytes, ctx.padding, ctx.config.random());
      Set<PeerId> recipients = others(gc);
      StoredMessage sm = new StoredMessage(key, gc.id(), NodeContext.peerKey(ctx.self), ls[0],
          ls[1], contentType, body, ctx.now(), recipients.isEmpty() ? DeliveryState.DELIVERED
              : DeliveryState.QUEUED);
      SyncEnvelope kept = new SyncEnvelope(gc.id(), sm.senderPeerId(), ls[1],
          gc.group().epoch(), mlsBytes);
      s.write(t -> {
        t.insertMessage(sm);
        t.putSyncEnvelope(kept);
        GroupStore.saveRatchet(t, gc);
      });
      List<OutboxEntry> out = recipients.isEmpty() ? List.of()
          : services.outbox().enqueueMessage(s, key, env, recipients);
      ctx.seen.put(id, Boolean.TRUE);
      int n = recipients.size();
      s.afterCommit(() -> {
        services.outbox().dispatch(out);
        ctx.stats.messageSent(gc.idString(), n);
      });
      return Messages.view(gc.id(), sm);
    });
  }

  CompletableFuture<List<Message>> history(Id channelId, int limit, Message before) {
    return step(s -> readHistory(ctx, channelId, limit, before));
  }

  /** Reads stored messages of a channel, member or not, in display order. */
  static List<Message> readHistory(NodeContext ctx, Id channelId, int limit, Message before)
      throws StorageException {
    HistoryCursor cursor = before == null ? null : new HistoryCursor(before.lamport(),
        NodeContext.peerKey(before.sender()), before.senderSequence());
    List<StoredMessage> rows = ctx.storage.inTransaction(t -> t.history(channelId, cursor, limit));
    List<Message> out = new ArrayList<>(rows.size());
    for (StoredMessage m : rows) {
      out.add(Messages.view(channelId, m));
    }
    return List.copyOf(out);
  }

  /**
   * Publishes this node's contact if the space's record of it differs from the transport's
   * addresses now (a restart on another port), so that members can reach it again.
   */
  CompletableFuture<Void> announceContactIfChanged() {
    return step(s -> {
      Contact mine = services.directory().myContact();
      if (!present || mine.equals(meta.view().contacts().get(ctx.self))
          || control.leafOf(ctx.self) < 0) {
        return null;
      }
      commits.publish(s, new SpaceOp.UpdateContact(mine));
      return null;
    });
  }

  /** Tells the transport where every known member of the space is. */
  void learnMemberAddresses() {
    for (Contact c : meta.view().contacts().values()) {
      services.directory().learn(c.peer(), c.addresses());
    }
  }

  @Override
  public String toString() {
    return "SpaceActor[" + spaceId + "]";
  }
}
