package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.Channel;
import io.spacepanda.InviteRefusedException;
import io.spacepanda.JoinStage;
import io.spacepanda.JoinTimeoutException;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.space.ChannelInfo;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.StorageException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining spaces by invite code: the joiner's request (fresh KeyPackages in a direct envelope to
 * the inviter's inbox key, and one to each fallback admin the code lists), the managers' side
 * (handed to the space's actor, {@link InviteDesk}), and the answer that makes the joiner a member
 * (Welcomes joined, the space stored, its actor started; the copies still queued withdrawn).
 *
 * <p>Pending joins live on the node lane and are stored ({@link PendingJoins}: the invite, the
 * KeyPackages' private material, the deadline), so a restart resumes them. A join completes when
 * the answer is durably applied, fails with {@link InviteRefusedException} when the inviter refuses
 * it, and with {@link JoinTimeoutException} when no answer came before its deadline (the invite's
 * expiry or the node's join timeout, whichever is first); then its request leaves the outbox.
 * Progress is reported through {@code onJoinProgress}.
 */
final class JoinService {

  private static final Logger LOG = LoggerFactory.getLogger(JoinService.class);

  private final NodeContext ctx;
  private final Lane nodeLane;
  private final SpaceActor.Services services;
  private final Map<String, PendingJoin> joins = new HashMap<>();

  /** A join this node is waiting for; its record is stored (see {@link PendingJoins}). */
  private record PendingJoin(CompletableFuture<Space> future, PendingJoins.Record record) {
    KeyPackageBundle control() {
      return record.control();
    }

    KeyPackageBundle channel() {
      return record.channel();
    }
  }

  JoinService(NodeContext ctx, Lane nodeLane, SpaceActor.Services services) {
    this.ctx = ctx;
    this.nodeLane = nodeLane;
    this.services = services;
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc) {
        nodeLane.execute(() -> onPeerConnected(pc.peer()));
      }
    });
  }

  /**
   * Resumes the joins stored by an earlier run: their deadlines are armed again and their answers
   * are awaited; call once at start, on any thread.
   *
   * @throws StorageException if they cannot be read
   */
  void resume() throws StorageException {
    List<PendingJoins.Record> stored = ctx.storage.inTransaction(PendingJoins::loadAll);
    nodeLane.execute(() -> {
      for (PendingJoins.Record r : stored) {
        String key = r.code().spaceId().toString();
        if (!joins.containsKey(key)) {
          joins.put(key, new PendingJoin(new CompletableFuture<>(), r));
          arm(key, r);
        }
      }
    });
  }

  private void arm(String key, PendingJoins.Record r) {
    Duration wait = Duration.between(ctx.now(), r.deadline());
    ctx.scheduler.schedule(wait.isNegative() ? Duration.ZERO : wait,
        () -> nodeLane.execute(() -> timeOut(key)));
  }

  private void timeOut(String key) {
    PendingJoin pj = joins.get(key);
    if (pj == null || ctx.now().isBefore(pj.record().deadline())) {
      return;
    }
    CompletableFuture<Void> step = new CompletableFuture<>();
    ctx.steps.runNow(ActorKind.NODE, null, s -> {
      joins.remove(key);
      s.onFailure(() -> joins.put(key, pj));
      PendingJoins.delete(s, pj.record());
      PeerId inviter = pj.record().code().inviter().peer();
      withdrawAll(s, pj.record());
      LOG.warn("a join of space {} got no answer from {} before {}; withdrawn", key, inviter,
          pj.record().deadline());
      s.event(l -> l.onJoinProgress(key, JoinStage.TIMED_OUT));
      s.afterCommit(() -> pj.future().completeExceptionally(new JoinTimeoutException(
          "no answer from the inviter " + inviter + " before " + pj.record().deadline())));
      return null;
    }, step);
  }

  /** Takes back every copy of the join request still in the outbox. */
  private void withdrawAll(Step s, PendingJoins.Record r) {
    List<Contact> to = PendingJoins.recipients(r.code());
    for (int i = 0; i < to.size() && i < r.requestIds().size(); i++) {
      services.outbox().withdraw(s, r.requestIds().get(i), to.get(i).peer());
    }
  }

  private void onPeerConnected(PeerId peer) {
    for (Map.Entry<String, PendingJoin> e : joins.entrySet()) {
      if (PendingJoins.recipients(e.getValue().record().code()).stream()
          .anyMatch(c -> c.peer().equals(peer))) {
        String key = e.getKey();
        ctx.steps.fireNow(l -> l.onJoinProgress(key, JoinStage.INVITER_REACHED));
      }
    }
  }

  /**
   * Sends a join request for an invite: one copy, sealed separately, to the inviter and to each
   * fallback admin the code lists (whichever manager is reachable admits; see {@link InviteDesk}).
   *
   * @param code the parsed invite
   * @return completes with the space once joined; exceptionally when refused or on failure
   */
  CompletableFuture<Space> join(InviteCode code) {
    PeerId inviter = code.inviter().peer();
    String key = code.spaceId().toString();
    CompletableFuture<CompletableFuture<Space>> queued = ctx.steps.submit(nodeLane, null, s -> {
      if (ctx.spaces.containsKey(Id.of(code.spaceId().bytes()))) {
        throw new IllegalStateException("this node is already a member of the space");
      }
      PendingJoin already = joins.get(key);
      if (already != null) {
        return already.future();
      }
      if (code.isExpired(ctx.now())) {
        throw new InviteRefusedException(InviteRefusedException.Reason.EXPIRED);
      }
      KeyPackageBundle kpControl = ctx.keyPackage();
      KeyPackageBundle kpChannel = ctx.keyPackage();
      JoinRequest req = JoinRequest.forInvite(code, services.directory().myContact(),
          MlsMessage.of(kpControl.keyPackage()).toBytes(),
          List.of(MlsMessage.of(kpChannel.keyPackage()).toBytes()));
      byte[] body = new NodeWire.Join(NodeWire.JOIN_REQUEST, req.encode()).toBytes();
      List<OutboxEntry> sent = new java.util.ArrayList<>();
      for (Contact to : PendingJoins.recipients(code)) {
        byte[] env = DirectEnvelope.seal(to.inboxKey(), body, ctx.padding);
        services.directory().learn(to.peer(), to.addresses());
        sent.add(services.outbox().enqueue(s, env, to.peer()));
      }
      Instant deadline = earlier(ctx.now().plus(ctx.config.joinTimeout()), code.expiresAt());
      PendingJoins.Record record = new PendingJoins.Record(code, kpControl, kpChannel, deadline,
          sent.stream().map(OutboxEntry::envelopeId).toList());
      PendingJoins.store(s, record);
      CompletableFuture<Space> result = new CompletableFuture<>();
      joins.put(key, new PendingJoin(result, record));
      s.onFailure(() -> joins.remove(key));
      s.event(l -> l.onJoinProgress(key, JoinStage.REQUESTED));
      s.afterCommit(() -> {
        arm(key, record);
        services.outbox().dispatch(sent);
      });
      return result;
    });
    return queued.thenCompose(f -> f);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** The handler of {@link NodeWire.Join} messages; on the node lane. */
  CompletableFuture<Void> onJoin(NodeWire.Msg msg) throws SpacePandaException {
    NodeWire.Join j = (NodeWire.Join) msg;
    if (j.kind() == NodeWire.JOIN_REQUEST) {
      JoinRequest r = JoinRequest.decode(j.body());
      SpaceActor actor = ctx.spaces.get(Id.of(r.spaceId().bytes()));
      if (actor != null) {
        return actor.step(s -> {
          actor.invites.onJoinRequest(s, r);
          return null;
        });
      }
      return ctx.steps.submit(nodeLane, null, s -> {
        LOG.info("refusing a join request for an unknown space");
        List<OutboxEntry> out = services.messenger().send(s, services.outbox(), r.joiner().peer(),
            r.joiner().inboxKey(), new NodeWire.Join(NodeWire.JOIN_RESPONSE,
                JoinResponse.refused(r.spaceId(), JoinResponse.Refusal.UNKNOWN).encode()));
        s.afterCommit(() -> services.outbox().dispatch(out));
        return null;
      });
    }
    JoinResponse answer = JoinResponse.decode(j.body());
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> step = new CompletableFuture<>();
    ctx.steps.runNow(ActorKind.NODE, null, s -> {
      onJoinResponse(s, answer, done);
      return null;
    }, step);
    step.whenComplete((v, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  private void onJoinResponse(Step s, JoinResponse a, CompletableFuture<Void> done)
      throws SpacePandaException {
    PendingJoin pj = joins.get(a.spaceId().toString());
    SpaceActor member = ctx.spaces.get(Id.of(a.spaceId().bytes()));
    if (pj == null && member != null && a.refusal().isEmpty()) {
      // A re-admission: this node's branch of a fork lost, and a manager of the winning one
      // added it again with the KeyPackages it joined with (ReadmitKeys).
      s.afterCommit(() -> member.step(as -> {
        member.forks.readmitted(as, a);
        return null;
      }).whenComplete((v, e) -> {
        if (e != null) {
          LOG.warn("a re-admission into space {} failed: {}", a.spaceId(), e.toString());
        }
        done.complete(null);
      }));
      return;
    }
    if (pj == null) {
      ctx.drop(DropReason.UNEXPECTED, "unexpected join answer");
      done.complete(null);
      return;
    }
    String key = a.spaceId().toString();
    if (a.refusal().isPresent()) {
      // A refusal is final: the managers that got a copy of the request all judge it by the
      // same shared record of the invite, and those that have nothing to say stay silent.
      joins.remove(key);
      withdrawAll(s, pj.record());
      PendingJoins.delete(s, pj.record());
      s.onFailure(() -> joins.put(key, pj));
      s.event(l -> l.onJoinProgress(key, JoinStage.REFUSED));
      InviteRefusedException.Reason reason = switch (a.refusal().get()) {
        case EXPIRED -> InviteRefusedException.Reason.EXPIRED;
        case ALREADY_USED -> InviteRefusedException.Reason.ALREADY_USED;
        case INVITER_NOT_MANAGER -> InviteRefusedException.Reason.INVITER_NOT_MANAGER;
        default -> InviteRefusedException.Reason.UNKNOWN;
      };
      s.afterCommit(() -> pj.future().completeExceptionally(new InviteRefusedException(reason)));
      done.complete(null);
      return;
    }
    if (a.channelWelcomes().isEmpty()) {
      ctx.drop(DropReason.MALFORMED, "join answer without a channel");
      done.complete(null);
      return;
    }
    Id spaceId = Id.of(a.spaceId().bytes());
    PeerId owner = a.owner();
    JoinResponse.ChannelWelcome cw = a.channelWelcomes().get(0);
    Group control = ctx.joinGroup(a.spaceWelcome(), pj.control());
    Group general = ctx.joinGroup(cw.welcome(), pj.channel());
    if (!Arrays.equals(control.groupId(), spaceId.toBytes())
        || !Arrays.equals(general.groupId(), cw.channelId().bytes())) {
      ctx.drop(DropReason.UNEXPECTED, "join answer for other groups");
      done.complete(null);
      return;
    }
    SpaceState meta = a.toState();
    ChannelInfo generalInfo = meta.view().channels().get(cw.channelId());
    String spaceName = meta.view().name().orElse("");
    Instant now = ctx.now();
    SpaceRecord record = new SpaceRecord(spaceId, spaceName, NodeContext.peerKey(owner), now);
    GroupChannel controlGc = new GroupChannel(spaceId, spaceId, spaceName,
        GroupChannel.KIND_CONTROL, owner, now, control, 0, 0);
    GroupChannel gen = new GroupChannel(Id.of(cw.channelId().bytes()), spaceId,
        generalInfo == null ? SpaceActor.DEFAULT_CHANNEL : generalInfo.name(),
        GroupChannel.KIND_TEXT, generalInfo == null ? owner : generalInfo.creator(), now, general,
        0, 0);
    PendingJoins.delete(s, pj.record());
    withdrawAll(s, pj.record());
    s.write(t -> {
      t.putSpace(record);
      GroupStore.saveChannel(t, controlGc);
      GroupStore.saveChannel(t, gen);
      for (SpaceOp op : meta.log()) {
        t.appendSpaceOperation(SpaceCommits.stored(op));
      }
    });
    // Kept for a while: a fork may leave the branch that admitted this node behind (ReadmitKeys).
    ReadmitKeys.keep(s, spaceId, control.epoch(), List.of(pj.control(), pj.channel()),
        List.of(control.epochAuthenticator(), general.epochAuthenticator()));
    GroupStore.LoadedSpace loaded = new GroupStore.LoadedSpace(record, meta, controlGc,
        List.of(gen));
    s.afterCommit(() -> {
      joins.remove(key);
      SpaceActor actor = SpaceActor.of(ctx, services, loaded);
      ctx.spaces.put(spaceId, actor);
      for (Contact c : a.members()) {
        services.directory().learn(c.peer(), c.addresses());
      }
      actor.step(as -> {
        for (ChannelInfo ci : actor.meta.view().channels().values()) {
          actor.joins.requestChannel(as, new NodeWire.ChannelInfo(ci.channelId().bytes(),
              ci.name(), ci.creator().bytes()));
        }
        Space sh = services.handles().space(spaceId, spaceName);
        Channel ch = actor.channelHandle(gen);
        as.event(l -> l.onSpaceJoined(sh));
        as.event(l -> l.onJoinProgress(key, JoinStage.JOINED));
        as.event(l -> l.onChannelCreated(ch));
        as.afterCommit(() -> {
          ctx.bus.publish(new EventBus.GroupJoined(spaceId));
          ctx.bus.publish(new EventBus.GroupJoined(gen.id()));
        });
        return sh;
      }).whenComplete((sh, e) -> {
        done.complete(null);
        if (e == null) {
          pj.future().complete(sh);
        } else {
          pj.future().completeExceptionally(e);
        }
      });
    });
  }
}
