package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.InviteGrant;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.InviteRedemption;
import io.spacepanda.spi.NodeRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A space's invites, on the managers' side: issuing them, and admitting a joiner who holds one,
 * also while the invite's issuer is away (issue 11).
 *
 * <p><b>Issuing.</b> The issuer keeps the secret's hash in its own store (as before) and also
 * publishes it to the space as a {@link SpaceOp.IssueInvite} (id = SHA-256 of the secret, and the
 * expiry), so every member learns it and every manager can check a join request for it. The code
 * lists up to {@value SpaceConstants#MAX_INVITE_ADMINS} other managers ({@link
 * InviteCode#admins()}, the control group's committers in {@link CommitPolicy} order), and the
 * joiner sends its request, sealed separately, to the issuer and to each of them.
 *
 * <p><b>Admitting: exactly one manager adds the joiner.</b> The issuer answers at once. Another
 * manager holds the request for {@code (1 + k)} committer timeouts, k being its place among the
 * control group's committers with the issuer left out (the {@link CommitPolicy} order of the
 * current epoch, re-read when the timer fires), and then admits the joiner only if nobody did:
 * when the joiner is already in the control group, or the invite is marked used for this joiner
 * ({@link SpaceOp.RedeemInvite}), it drops the request silently; the admitting manager's answer
 * reaches the joiner. A manager refuses, at its turn, an expired invite or one used by another
 * joiner; one it does not know it refuses only {@link #UNKNOWN_ROUNDS} sync rounds after its turn
 * (the issuer's {@link SpaceOp.IssueInvite} may still come by sync from another member). The
 * joiner takes any refusal as final. A manager that is no longer a member or committer of the
 * control group stays silent. The manager that admits publishes {@link SpaceOp.RedeemInvite},
 * which marks the invite used for everyone. Two managers cut off from each other can still both
 * admit the joiner (a fork, resolved by {@link Forks}); a joiner admitted on a branch that lost is
 * added again on the winning one by the manager that admitted it ({@link ForkReadmit}).
 *
 * <p><b>Signed invites (version-4 codes)</b> are judged by {@link InviteGrants}: a manager with no
 * record of the invite decides at its turn on a trusted grant, without waiting for the
 * announcement, and then publishes the {@link SpaceOp.IssueInvite} itself before the {@link
 * SpaceOp.RedeemInvite}; an invite whose issuer is no longer an owner or admin is refused.
 *
 * <p>Like commits of others' proposals, nobody admits while {@link SpaceActor#quietUntil} holds
 * (a peer just came back and may bring newer epochs), nor while messages of a later epoch of the
 * control group wait (this node is behind). At most {@link #MAX_HELD} requests are held per
 * space; each is stored ({@link NodeRecord#KIND_HELD_JOIN}, with the time it came) while held, so
 * a manager that restarts decides it again at its turn ({@link #resume}).
 *
 * <p>Every method runs inside a step of the owning {@link SpaceActor}, on its lane.
 */
final class InviteDesk {

  private static final Logger LOG = LoggerFactory.getLogger(InviteDesk.class);
  /** Most join requests held at once per space; more are dropped (a flood of made-up ones). */
  static final int MAX_HELD = 256;
  /**
   * Sync rounds a manager other than the issuer waits, after its turn came, for the {@link
   * SpaceOp.IssueInvite} of an invite it does not know, before refusing the request as unknown.
   */
  static final int UNKNOWN_ROUNDS = 6;

  private final SpaceActor a;
  private final NodeContext ctx;
  /** Join requests this node (not their invite's issuer) holds until its turn, by joiner. */
  private final Map<PeerId, Held> held = new HashMap<>();
  /** The requests this node admitted, kept for a re-admission after a fork. */
  final ForkReadmit readmits;

  private static final byte HELD_VERSION = 1;

  /** A request held since {@code since}; a timer is armed for {@code armedAt} (or null). */
  record Held(JoinRequest request, Instant since, Instant armedAt) {}

  InviteDesk(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
    this.readmits = new ForkReadmit(actor, this);
  }

  /** Issues an invite: stored here, published to the space, the text code returned. */
  String create(Step s) throws SpacePandaException {
    Role role = a.meta.view().roleOf(ctx.self).orElse(null);
    boolean manager = role == Role.OWNER || role == Role.ADMIN;
    if (!manager || !a.commits.mayCommit(a.control)) {
      throw new io.spacepanda.RoleRequiredException(role,
          "only the owner or an admin can invite; this node is " + role);
    }
    Contact me = a.services.directory().inviteContact();
    InviteCode code = InviteCode.issueSigned(SpaceId.of(a.spaceId.toBytes()), me,
        fallbackAdmins(me), ctx.now().plus(SpaceActor.INVITE_LIFETIME), ctx.config.random(),
        ctx.identity);
    byte[] hash = code.secretHash();
    s.write(t -> t.putInvite(new Invite(Id.of(hash), code.expiresAt(), false)));
    a.commits.publish(s, new SpaceOp.IssueInvite(hash, code.expiresAt().getEpochSecond()));
    return code.toText();
  }

  /**
   * The managers the code lists besides the issuer: the control group's committers in order
   * (managers only), with at most {@value SpaceConstants#MAX_INVITE_ADMIN_ADDRESSES} of their
   * published addresses each, within the code's total of address bytes.
   */
  List<Contact> fallbackAdmins(Contact me) {
    int room = SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES;
    for (String addr : me.addresses()) {
      room -= addr.length();
    }
    List<Contact> out = new ArrayList<>();
    Map<PeerId, Role> roles = a.meta.view().members();
    for (PeerId p : ctx.policy.committers(a.meta, a.control)) {
      Role r = roles.get(p);
      Contact c = a.contact(p);
      if (p.equals(ctx.self) || c == null || (r != Role.OWNER && r != Role.ADMIN)) {
        continue;
      }
      List<String> addresses = new ArrayList<>();
      for (String addr : PeerDirectory.inviteAddresses(c.addresses(), p)) {
        if (addresses.size() < SpaceConstants.MAX_INVITE_ADMIN_ADDRESSES && addr.length() <= room) {
          addresses.add(addr);
          room -= addr.length();
        }
      }
      out.add(new Contact(p, c.inboxKey(), addresses));
      if (out.size() == SpaceConstants.MAX_INVITE_ADMINS) {
        break;
      }
    }
    return out;
  }

  /** A join request for this space arrived: answer it now, or hold it until this node's turn. */
  void onJoinRequest(Step s, JoinRequest r) throws SpacePandaException {
    if (r.channelKeyPackages().isEmpty()) {
      ctx.drop(DropReason.MALFORMED, "join request without a channel KeyPackage");
      return;
    }
    PeerId joiner = r.joiner().peer();
    Held h = held.get(joiner);
    decide(s, h != null ? new Held(r, h.since(), h.armedAt()) : new Held(r, ctx.now(), null));
  }

  /**
   * Takes back, after a restart, the join requests this node held (stored as {@link
   * NodeRecord#KIND_HELD_JOIN}), each with the time it came, and decides them again: at once if
   * their turn passed, else at their turn. Unreadable ones are deleted.
   */
  void resume(Step s) throws SpacePandaException {
    readmits.resume(s);
    byte[] prefix = a.spaceId.toBytes();
    List<NodeRecord> stored = ctx.storage.inTransaction(
        t -> t.nodeRecords(NodeRecord.KIND_HELD_JOIN));
    for (NodeRecord rec : stored) {
      byte[] key = rec.key().toBytes();
      if (key.length <= prefix.length
          || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
        continue;
      }
      Held h;
      try {
        h = decodeHeld(rec.value());
      } catch (SpaceDecodeException e) {
        LOG.warn("dropping an unreadable held join request: {}", e.getMessage());
        s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_HELD_JOIN, rec.key()));
        continue;
      }
      if (!Arrays.equals(h.request().spaceId().bytes(), prefix)
          || !rec.key().equals(heldKey(a.spaceId, h.request().joiner().peer()))) {
        s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_HELD_JOIN, rec.key()));
        continue;
      }
      LOG.info("resuming a join request of {} held before a restart",
          h.request().joiner().peer());
      held.put(h.request().joiner().peer(), h);
      decide(s, h);
    }
  }

  /** The stored form of a held request: {@code u8 version (1), u64 since millis, request}. */
  static byte[] encodeHeld(JoinRequest r, Instant since) {
    byte[] body = r.encode();
    return ByteBuffer.allocate(9 + body.length).put(HELD_VERSION).putLong(since.toEpochMilli())
        .put(body).array();
  }

  /**
   * Reads a stored held request back.
   *
   * @throws SpaceDecodeException if it is not one (typed; nothing else escapes)
   */
  static Held decodeHeld(byte[] value) throws SpaceDecodeException {
    if (value.length < 9 || value.length > NodeRecord.MAX_VALUE) {
      throw new SpaceDecodeException("held join request of " + value.length + " bytes");
    }
    if (value[0] != HELD_VERSION) {
      throw new SpaceDecodeException("unknown held join request format " + value[0]);
    }
    long millis = ByteBuffer.wrap(value, 1, 8).getLong();
    if (millis < 0) {
      throw new SpaceDecodeException("held join request time out of range");
    }
    JoinRequest r = JoinRequest.decode(Arrays.copyOfRange(value, 9, value.length));
    return new Held(r, Instant.ofEpochMilli(millis), null);
  }

  static Id heldKey(Id spaceId, PeerId joiner) {
    byte[] sp = spaceId.toBytes();
    byte[] p = joiner.bytes();
    byte[] k = Arrays.copyOf(sp, sp.length + p.length);
    System.arraycopy(p, 0, k, sp.length, p.length);
    return Id.of(k);
  }

  /** Decides, and keeps the store's copy of the request in step with {@link #held}. */
  private void decide(Step s, Held h) throws SpacePandaException {
    PeerId joiner = h.request().joiner().peer();
    Held before = held.get(joiner);
    decideNowOrHold(s, h);
    Held after = held.get(joiner);
    Id key = heldKey(a.spaceId, joiner);
    if (after != null && (before == null || !before.since().equals(after.since()))) {
      byte[] value = encodeHeld(after.request(), after.since());
      if (value.length <= NodeRecord.MAX_VALUE) {
        NodeRecord rec = new NodeRecord(NodeRecord.KIND_HELD_JOIN, key, value);
        s.write(t -> t.putNodeRecord(rec));
      }
    } else if (after == null && before != null) {
      s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_HELD_JOIN, key));
    }
  }

  private void decideNowOrHold(Step s, Held h) throws SpacePandaException {
    JoinRequest r = h.request();
    PeerId joiner = r.joiner().peer();
    held.remove(joiner);
    byte[] hash = r.secretHash();
    Instant now = ctx.now();
    Optional<Invite> local = ctx.storage.inTransaction(t -> t.invite(Id.of(hash)));
    Optional<SpaceState.Invite> shared = a.meta.invite(hash);
    boolean issuer = local.isPresent();
    if (!a.present || !a.commits.mayCommit(a.control)) {
      return; // no longer in charge: the other managers answer
    }
    PeerId redeemedBy = shared.map(SpaceState.Invite::redeemedBy).orElse(null);
    if (joiner.equals(redeemedBy) || (a.present && a.control.leafOf(joiner) >= 0)) {
      return; // admitted by another manager, whose answer is on its way
    }
    if (!issuer) {
      InviteGrant grant =
          shared.isEmpty() ? InviteGrants.trusted(r, hash, a.spaceId, a.meta) : null;
      Instant at = turn(h, InviteGrants.issuer(r, hash, a.spaceId, shared), now);
      if (at == null) {
        return; // not a committer of the control group: the others answer
      }
      if (now.isBefore(at)) {
        hold(s, h, at);
        return;
      }
      if (shared.isEmpty() && grant == null) {
        // The issuer's IssueInvite has not reached this node (yet): it may still come by sync
        // from another member. Ask again each sync round for a while before refusing.
        Duration round = syncRound();
        Instant giveUp = at.plus(round.multipliedBy(UNKNOWN_ROUNDS));
        if (now.isBefore(giveUp)) {
          LOG.debug("a join request for an invite not known here yet; waiting for it");
          Instant again = now.plus(round);
          hold(s, h, again.isBefore(giveUp) ? again : giveUp);
          return;
        }
      }
    } else if (now.isBefore(guard(now))) {
      hold(s, h, guard(now));
      return;
    }
    decideNow(s, r, hash, local, shared, redeemedBy, now);
  }

  private void decideNow(Step s, JoinRequest r, byte[] hash, Optional<Invite> local,
      Optional<SpaceState.Invite> shared, PeerId redeemedBy, Instant now)
      throws SpacePandaException {
    boolean expired = local.map(i -> !i.expiresAt().isAfter(now)).orElse(false)
        || shared.map(i -> i.isExpired(now)).orElse(false);
    if (local.isEmpty() && shared.isEmpty()) {
      decideOnGrant(s, r, hash, now);
    } else if (expired) {
      refuse(s, r, JoinResponse.Refusal.EXPIRED);
    } else if (redeemedBy != null || local.map(Invite::used).orElse(false)) {
      refuse(s, r, JoinResponse.Refusal.ALREADY_USED);
    } else if (local.isEmpty()
        && !InviteGrants.isManager(a.meta, InviteGrants.issuer(r, hash, a.spaceId, shared))) {
      refuse(s, r, JoinResponse.Refusal.INVITER_NOT_MANAGER);
    } else {
      long expires = local.map(i -> i.expiresAt().getEpochSecond())
          .orElseGet(() -> shared.get().expiresAtSeconds());
      admit(s, r, hash, local.isPresent(), shared.isPresent(), expires);
    }
  }

  /**
   * Decides a request for an invite this node has no record of, on the grant of its signed code
   * alone: admits it if the grant holds ({@link InviteGrants#refusal}), else refuses it.
   */
  private void decideOnGrant(Step s, JoinRequest r, byte[] hash, Instant now)
      throws SpacePandaException {
    JoinResponse.Refusal refusal = InviteGrants.refusal(r, hash, a.spaceId, a.meta, now);
    if (refusal != null) {
      refuse(s, r, refusal);
    } else {
      LOG.info("admitting {} on a signed invite of {} not announced here", r.joiner().peer(),
          r.grant().orElseThrow().inviter().peer());
      admit(s, r, hash, false, false, r.grant().orElseThrow().expiresAtSeconds());
    }
  }

  /**
   * Publishes what makes the invite used for everyone: its redemption, after its issue when this
   * node admitted on a signed grant with no record of the invite (it issues it in the signer's
   * stead, with the signed expiry).
   */
  private void publishRedemption(Step s, JoinRequest r, byte[] hash, boolean shared)
      throws SpacePandaException {
    PeerId joiner = r.joiner().peer();
    if (!shared && a.meta.invite(hash).isEmpty() && r.grant().isPresent()) {
      a.commits.publish(s, new SpaceOp.IssueInvite(hash,
          r.grant().orElseThrow().expiresAtSeconds()));
      shared = true;
    }
    if (shared) {
      a.commits.publish(s, new SpaceOp.RedeemInvite(hash, joiner));
    }
  }

  /** A sync round, or the committer timeout when sync is off. */
  private Duration syncRound() {
    Duration d = ctx.config.syncInterval();
    return d.isZero() || d.isNegative() ? ctx.config.committerTimeout() : d;
  }

  /**
   * When a manager other than the issuer may admit: (1 + k) committer timeouts after the request
   * came, k its place among the control group's committers without the issuer; null if it is not
   * one of them.
   */
  private Instant turn(Held h, PeerId issuer, Instant now) {
    List<PeerId> order = new ArrayList<>(ctx.policy.committers(a.meta, a.control));
    if (issuer != null && !issuer.equals(ctx.self)) {
      // (this node, recorded as the issuer without holding the invite's record, published the
      // issue in a signer's stead: it takes its own turn)
      order.remove(issuer);
    }
    int k = order.indexOf(ctx.self);
    if (k < 0) {
      return null;
    }
    Instant at = h.since().plus(ctx.config.committerTimeout().multipliedBy(1L + k));
    Instant g = guard(now);
    return at.isBefore(g) ? g : at;
  }

  /**
   * The earliest time any admission may happen: after the quiet period, and a committer timeout
   * from {@code now} while this node is catching up; may be in the past.
   */
  private Instant guard(Instant now) {
    Instant at = a.quietUntil;
    if (a.catchingUp(a.control.id(), a.control.group().epoch())) {
      Instant retry = now.plus(ctx.config.committerTimeout());
      if (at.isBefore(retry)) {
        at = retry;
      }
    }
    return at;
  }

  private void hold(Step s, Held h, Instant at) {
    PeerId joiner = h.request().joiner().peer();
    if (held.size() >= MAX_HELD && !held.containsKey(joiner)) {
      ctx.drop(DropReason.REFUSED, "too many join requests held");
      return;
    }
    if (at.equals(h.armedAt())) {
      held.put(joiner, h);
      return;
    }
    held.put(joiner, new Held(h.request(), h.since(), at));
    Duration wait = Duration.between(ctx.now(), at);
    s.afterCommit(() -> ctx.scheduler.schedule(wait, () -> a.step(s2 -> {
      Held again = held.get(joiner);
      if (again != null && at.equals(again.armedAt())) {
        decide(s2, again);
      }
      return null;
    })));
  }

  /** Adds the joiner to the control group and the default channel, and answers with Welcomes. */
  private void admit(Step s, JoinRequest r, byte[] hash, boolean local, boolean shared,
      long expiresAtSeconds) throws SpacePandaException {
    PeerId joiner = r.joiner().peer();
    KeyPackage kpControl = NodeContext.keyPackageOf(r.spaceKeyPackage(), joiner);
    KeyPackage kpChannel = NodeContext.keyPackageOf(r.channelKeyPackages().get(0), joiner);
    Instant now = ctx.now();
    if (local) {
      s.write(t -> {
        if (t.redeemInvite(Id.of(hash), now) != InviteRedemption.REDEEMED) {
          throw new io.spacepanda.spi.StorageException("the invite was redeemed concurrently");
        }
      });
    }
    LOG.info("admitting {} to space {} with an invite{}", joiner, a.spaceId,
        local ? "" : " issued by another manager");
    a.services.directory().learn(joiner, r.joiner().addresses());
    GroupChannel general = defaultChannel();
    byte[] inboxKey = r.joiner().inboxKey();
    byte[] controlWelcome = addTo(s, a.control, kpControl, joiner, inboxKey);
    byte[] channelWelcome = addTo(s, general, kpChannel, joiner, inboxKey);
    a.commits.publish(s, new SpaceOp.MemberJoined(r.joiner()));
    publishRedemption(s, r, hash, shared);
    readmits.remember(s, new ForkReadmit.Admitted(r, a.control.group().epoch(),
        expiresAtSeconds));
    answer(s, r, controlWelcome, general, channelWelcome);
  }

  /** Commits the joiner's add to a group; @return the Welcome */
  byte[] addTo(Step s, GroupChannel gc, KeyPackage kp, PeerId joiner, byte[] inboxKey)
      throws SpacePandaException {
    byte[][] welcome = new byte[1][];
    a.commits.commitAndBroadcast(s, gc, CommitOptions.builder().add(kp)
        .ratchetTreeInWelcome(true).build(), joiner, inboxKey, w -> {
          welcome[0] = w;
          return null;
        });
    return welcome[0];
  }

  /** Sends the joiner its Welcomes (the channel's, if any) with the space's log. */
  void answer(Step s, JoinRequest r, byte[] controlWelcome, GroupChannel general,
      byte[] channelWelcome) throws SpacePandaException {
    List<JoinResponse.ChannelWelcome> channels = channelWelcome == null ? List.of()
        : List.of(new JoinResponse.ChannelWelcome(ChannelId.of(general.id().toBytes()),
            channelWelcome));
    JoinResponse accepted = JoinResponse.accepted(r.spaceId(), a.meta.owner(), controlWelcome,
        channels, a.meta.log(), List.copyOf(a.meta.view().contacts().values()));
    PeerId joiner = r.joiner().peer();
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), joiner,
        r.joiner().inboxKey(), new NodeWire.Join(NodeWire.JOIN_RESPONSE, accepted.encode())));
  }

  private void refuse(Step s, JoinRequest r, JoinResponse.Refusal reason)
      throws SpacePandaException {
    LOG.info("refusing a join request: {}", reason);
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), r.joiner().peer(),
        r.joiner().inboxKey(), new NodeWire.Join(NodeWire.JOIN_RESPONSE,
            JoinResponse.refused(r.spaceId(), reason).encode())));
  }

  GroupChannel defaultChannel() {
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
}
