package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.NodeMetrics;
import io.spacepanda.NotMemberException;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.Space;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SpaceRecord;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The node front: lifecycle, wiring of the services, and routing of API calls to the actor of
 * the space they concern. It holds no state of its own beyond the running node.
 *
 * <p>{@link NodeRuntime} starts and stops the services; space and channel operations go to their
 * {@link SpaceActor}; creating and joining spaces go through the node lane. Every future completes
 * when its effect is durable. Thread-safe: any thread may call any method.
 */
public final class Node implements Handles {

  private static final int MAX_NAME = 100;

  private final NodeConfig config;
  private final NodeStats stats;
  private final Object lifecycle = new Object();
  private volatile NodeRuntime runtime;
  private volatile boolean closed;
  private volatile PeerId lastPeerId;
  /** How long a group stays quiet before its members refresh their paths; zero: never. */
  private volatile java.time.Duration pathRefreshInterval = PathRefresh.DEFAULT_QUIET;

  /**
   * Creates a node from checked options; touches nothing.
   *
   * @param config the options
   */
  public Node(NodeConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.stats = new NodeStats(config.eventListener(), System::nanoTime);
  }

  /**
   * Opens storage, loads the identity and spaces, starts the transport.
   *
   * @return completes when the node accepts calls and has resumed its outbox
   * @throws IllegalStateException if started or closed before
   */
  public CompletableFuture<Void> start() {
    synchronized (lifecycle) {
      if (runtime != null || closed) {
        throw new IllegalStateException("node was already " + (closed ? "closed" : "started"));
      }
      NodeRuntime r = new NodeRuntime(config, this, stats);
      CompletableFuture<Void> started = r.start();
      if (started.isCompletedExceptionally()) {
        closed = true;
        return started;
      }
      runtime = r;
      lastPeerId = r.ctx().self;
      return started;
    }
  }

  /** Stops the transport and the node's threads and closes storage; idempotent. */
  public void close() {
    NodeRuntime r;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      r = runtime;
      runtime = null;
    }
    if (r != null) {
      r.close();
    }
  }

  /**
   * Sets how long a group must stay quiet before the first of its refreshers refreshes its path of
   * the ratchet tree ({@link PathRefresh}); takes effect at the next start.
   *
   * @param interval the quiet period; zero turns path refreshes off
   */
  public void pathRefreshInterval(java.time.Duration interval) {
    pathRefreshInterval = Objects.requireNonNull(interval, "interval");
  }

  /** @return the path refresh interval set before start */
  java.time.Duration pathRefreshInterval() {
    return pathRefreshInterval;
  }

  NodeRuntime running() {
    NodeRuntime r = runtime;
    if (r == null) {
      throw new IllegalStateException("node is " + (closed ? "closed" : "not started"));
    }
    return r;
  }

  /** @return this node's peer id; after close, the one it had */
  public PeerId peerId() {
    PeerId p = lastPeerId;
    if (p == null) {
      throw new IllegalStateException("node is not started");
    }
    return p;
  }

  /** @return the addresses others can reach this node at; empty when not running */
  public List<String> listenAddresses() {
    NodeRuntime r = runtime;
    return r == null ? List.of() : r.directory().listenAddresses();
  }

  /** @return inbound envelopes dropped since start */
  public long droppedEnvelopes() {
    return stats.droppedEnvelopes();
  }

  /** @return the node's gauges, valid for its whole life */
  public NodeMetrics metrics() {
    return stats;
  }

  /** @return the spaces this node is a member of, by name */
  public List<Space> spaces() {
    NodeRuntime r = runtime;
    if (r == null) {
      return List.of();
    }
    return r.ctx().spaces.values().stream().map(SpaceActor::snapshot)
        .filter(s -> s != null && s.present())
        .sorted(Comparator.comparing(SpaceSnapshot::name).thenComparing(SpaceSnapshot::spaceId))
        .map(s -> (Space) new SpaceHandle(this, s.spaceId(), s.name())).toList();
  }

  /** @return the space with that id, if this node is a member */
  public Optional<Space> space(String spaceId) {
    Objects.requireNonNull(spaceId, "spaceId");
    NodeRuntime r = runtime;
    Id id;
    try {
      id = Id.ofHex(spaceId);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    SpaceSnapshot s = r == null ? null : snapshotOrNull(id);
    return s == null || !s.present() ? Optional.empty()
        : Optional.of(new SpaceHandle(this, id, s.name()));
  }

  /** Creates a space owned by this node, with its default channel. */
  public CompletableFuture<Space> createSpace(String name) {
    checkName(name);
    NodeRuntime r = running();
    NodeContext ctx = r.ctx();
    return ctx.steps.submit(r.nodeLane(), null, s -> {
      Instant now = ctx.now();
      Id spaceId = ctx.randomId();
      GroupChannel control = new GroupChannel(spaceId, spaceId, name, GroupChannel.KIND_CONTROL,
          ctx.self, now, ctx.newGroup(spaceId), 0, 0);
      Id channelId = ctx.randomId();
      GroupChannel general = new GroupChannel(channelId, spaceId, SpaceActor.DEFAULT_CHANNEL,
          GroupChannel.KIND_TEXT, ctx.self, now, ctx.newGroup(channelId), 0, 0);
      SpaceRecord record = new SpaceRecord(spaceId, name, NodeContext.peerKey(ctx.self), now);
      SpaceState meta = new SpaceState(SpaceId.of(spaceId.toBytes()), ctx.self);
      List<SpaceOp.Body> bodies = List.of(new SpaceOp.RenameSpace(name),
          new SpaceOp.UpdateContact(r.directory().myContact()),
          new SpaceOp.CreateChannel(ChannelId.of(channelId.toBytes()), SpaceActor.DEFAULT_CHANNEL,
              SpaceConstants.CHANNEL_KIND_TEXT));
      for (SpaceOp.Body b : bodies) {
        SpaceOp op = meta.newOp(ctx.self, b);
        meta.apply(op);
        s.write(t -> t.appendSpaceOperation(SpaceCommits.stored(op)));
      }
      s.write(t -> {
        t.putSpace(record);
        GroupStore.saveChannel(t, control);
        GroupStore.saveChannel(t, general);
      });
      GroupStore.LoadedSpace loaded = new GroupStore.LoadedSpace(record, meta, control,
          List.of(general));
      s.afterCommit(() -> ctx.spaces.put(spaceId, SpaceActor.of(ctx, r.services(), loaded)));
      Channel h = channel(channelId, spaceId, SpaceActor.DEFAULT_CHANNEL, name);
      s.event(l -> l.onChannelCreated(h));
      return (Space) new SpaceHandle(this, spaceId, name);
    });
  }

  /** Joins a space with an invite code. */
  public CompletableFuture<Space> join(String inviteCode) {
    Objects.requireNonNull(inviteCode, "inviteCode");
    InviteCode code = InviteCode.parse(inviteCode);
    return running().joins().join(code);
  }

  // ---------------------------------------------------------------------------------------------
  // Routing to space actors

  /**
   * Finds a space's actor: registered under the space id while this node is in the space, and
   * reachable through its channels' group ids after it left the space but not yet its channels.
   */
  private static SpaceActor actorOrNull(NodeRuntime r, Id spaceId) {
    SpaceActor a = r.ctx().spaces.get(spaceId);
    if (a != null) {
      return a;
    }
    for (SpaceActor x : r.ctx().groupOwners.values()) {
      if (x.spaceId.equals(spaceId)) {
        return x;
      }
    }
    return null;
  }

  SpaceSnapshot snapshotOrNull(Id spaceId) {
    NodeRuntime r = runtime;
    SpaceActor a = r == null ? null : actorOrNull(r, spaceId);
    return a == null ? null : a.snapshot();
  }

  SpaceSnapshot.ChannelSnapshot channelSnapshotOrNull(Id spaceId, Id channelId) {
    SpaceSnapshot s = snapshotOrNull(spaceId);
    return s == null ? null : s.channels().get(channelId);
  }

  /** Runs an operation on a space's actor, or fails with {@link NotMemberException}. */
  <T> CompletableFuture<T> onSpace(Id spaceId, Function<SpaceActor, CompletableFuture<T>> op) {
    NodeRuntime r = runtime;
    if (r == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "node is " + (closed ? "closed" : "not started")));
    }
    SpaceActor a = actorOrNull(r, spaceId);
    if (a == null) {
      return CompletableFuture.failedFuture(
          new NotMemberException("this node is not a member of space " + spaceId));
    }
    return op.apply(a);
  }

  CompletableFuture<Void> setRole(Id spaceId, PeerId member, Role role) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(role, "role");
    return onSpace(spaceId, a -> a.setRole(member, role));
  }

  CompletableFuture<Void> transferOwnership(Id spaceId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return onSpace(spaceId, a -> a.transferOwnership(member));
  }

  CompletableFuture<Channel> createChannel(Id spaceId, String name) {
    checkName(name);
    return onSpace(spaceId, a -> a.createChannel(name));
  }

  CompletableFuture<Void> renameChannel(Id spaceId, Id channelId, String newName) {
    checkName(newName);
    return onSpace(spaceId, a -> a.renameChannel(channelId, newName));
  }

  CompletableFuture<String> createInvite(Id spaceId) {
    return onSpace(spaceId, SpaceActor::createInvite);
  }

  CompletableFuture<Void> removeFromSpace(Id spaceId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return onSpace(spaceId, a -> a.removeFromSpace(member));
  }

  CompletableFuture<Void> leaveSpace(Id spaceId) {
    return onSpace(spaceId, SpaceActor::leaveSpace);
  }

  CompletableFuture<Void> addToChannel(Id spaceId, Id channelId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return onSpace(spaceId, a -> a.addToChannel(channelId, member));
  }

  CompletableFuture<Void> removeFromChannel(Id spaceId, Id channelId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return onSpace(spaceId, a -> a.removeFromChannel(channelId, member));
  }

  CompletableFuture<Void> rotateKeys(Id spaceId, Id channelId) {
    return onSpace(spaceId, a -> a.rotateKeys(channelId));
  }

  CompletableFuture<Void> leaveChannel(Id spaceId, Id channelId) {
    return onSpace(spaceId, a -> a.leaveChannel(channelId));
  }

  CompletableFuture<Message> send(Id spaceId, Id channelId, byte[] body, int contentType) {
    Objects.requireNonNull(body, "body");
    if (contentType < 0) {
      throw new IllegalArgumentException("contentType must not be negative: " + contentType);
    }
    if (body.length > InnerPayload.MAX_BODY_LENGTH) {
      throw new IllegalArgumentException(
          "body longer than " + InnerPayload.MAX_BODY_LENGTH + " bytes: " + body.length);
    }
    byte[] copy = body.clone();
    return onSpace(spaceId, a -> a.send(channelId, copy, contentType));
  }

  CompletableFuture<List<Message>> history(Id spaceId, Id channelId, int limit, Message before) {
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
    }
    NodeRuntime r = runtime;
    if (r != null && snapshotOrNull(spaceId) == null) {
      // Not a member any more: what was stored stays readable.
      return r.ctx().steps.submit(r.nodeLane(), null,
          s -> SpaceActor.readHistory(r.ctx(), channelId, limit, before));
    }
    return onSpace(spaceId, a -> a.history(channelId, limit, before));
  }

  @Override
  public Channel channel(Id channelId, Id spaceId, String name, String spaceName) {
    return new ChannelHandle(this, channelId, spaceId, name, spaceName);
  }

  @Override
  public Space space(Id spaceId, String name) {
    return new SpaceHandle(this, spaceId, name);
  }

  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("name must be 1 to " + MAX_NAME + " characters: " + name);
    }
  }
}
