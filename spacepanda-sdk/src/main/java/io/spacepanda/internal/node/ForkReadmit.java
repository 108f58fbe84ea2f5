package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.NodeRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managers' side of a re-admission after a fork (issue 11): the join requests this node
 * admitted, kept so that, if the branch of a fork that admitted a joiner loses, this node adds the
 * joiner again on the winning branch with the same KeyPackages ({@link #readmit}, called from
 * {@link ForkRedo}); the joiner opens the Welcomes with the KeyPackages it kept ({@link
 * ReadmitKeys}). Each request is stored as a node record of kind {@link NodeRecord#KIND_READMIT}
 * (space id and joiner to {@link #encodeAdmitted}), so a restart between the admission and the
 * move loses nothing, and dropped once no fork can call for it ({@link #pruneAdmitted}).
 *
 * <p>Every method runs inside a step of the owning {@link SpaceActor}, on its lane.
 */
final class ForkReadmit {

  private static final Logger LOG = LoggerFactory.getLogger(ForkReadmit.class);
  private static final byte ADMITTED_VERSION = 1;

  private final SpaceActor a;
  private final NodeContext ctx;
  private final InviteDesk desk;

  ForkReadmit(SpaceActor actor, InviteDesk desk) {
    this.a = actor;
    this.ctx = actor.ctx;
    this.desk = desk;
  }

  /**
   * Join requests this node admitted, by joiner, the oldest dropped beyond {@link InviteDesk#MAX_HELD}: if
   * the branch of a fork that admitted one loses, {@link #readmit} adds the joiner again with
   * the same KeyPackages. Each is stored ({@link NodeRecord#KIND_READMIT}) so that a restart
   * between the admission and the move to the winning branch does not lose it, and dropped by
   * {@link #pruneAdmitted} once no fork can undo the joiner's add any more.
   */
  private final Map<PeerId, Admitted> admitted = new java.util.LinkedHashMap<>();

  /**
   * A request this node admitted.
   *
   * @param request the joiner's request (its KeyPackages are used again by a re-admission)
   * @param addedAt the control group's epoch right after this node (last) added the joiner
   * @param expiresAtSeconds the invite's expiry, in epoch seconds; kept no longer
   */
  record Admitted(JoinRequest request, long addedAt, long expiresAtSeconds) {}

  /**
   * Takes back, after a restart, the requests this node admitted and keeps for a re-admission
   * ({@link NodeRecord#KIND_READMIT}); unreadable or misfiled ones are deleted.
   */
  void resume(Step s) throws SpacePandaException {
    byte[] prefix = a.spaceId.toBytes();
    List<NodeRecord> stored = ctx.storage.inTransaction(
        t -> t.nodeRecords(NodeRecord.KIND_READMIT));
    for (NodeRecord rec : stored) {
      byte[] key = rec.key().toBytes();
      if (key.length <= prefix.length
          || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
        continue;
      }
      Admitted ad;
      try {
        ad = decodeAdmitted(rec.value());
      } catch (SpaceDecodeException e) {
        LOG.warn("dropping an unreadable admitted join request: {}", e.getMessage());
        s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_READMIT, rec.key()));
        continue;
      }
      PeerId joiner = ad.request().joiner().peer();
      if (!Arrays.equals(ad.request().spaceId().bytes(), prefix)
          || !rec.key().equals(InviteDesk.heldKey(a.spaceId, joiner))) {
        s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_READMIT, rec.key()));
        continue;
      }
      admitted.put(joiner, ad);
    }
    if (!admitted.isEmpty()) {
      LOG.info("kept {} admitted join requests of space {} for a re-admission after a fork",
          admitted.size(), a.spaceId);
    }
    pruneAdmitted(s);
  }

  /**
   * The stored form of an admitted request: {@code u8 version (1), u64 control epoch after the
   * add, u64 invite expiry (epoch seconds), request}.
   */
  static byte[] encodeAdmitted(Admitted ad) {
    byte[] body = ad.request().encode();
    return ByteBuffer.allocate(17 + body.length).put(ADMITTED_VERSION).putLong(ad.addedAt())
        .putLong(ad.expiresAtSeconds()).put(body).array();
  }

  /**
   * Reads a stored admitted request back.
   *
   * @throws SpaceDecodeException if it is not one (typed; nothing else escapes)
   */
  static Admitted decodeAdmitted(byte[] value) throws SpaceDecodeException {
    if (value.length < 17 || value.length > NodeRecord.MAX_VALUE) {
      throw new SpaceDecodeException("admitted join request of " + value.length + " bytes");
    }
    if (value[0] != ADMITTED_VERSION) {
      throw new SpaceDecodeException("unknown admitted join request format " + value[0]);
    }
    ByteBuffer b = ByteBuffer.wrap(value, 1, 16);
    long addedAt = b.getLong();
    long expires = b.getLong();
    if (addedAt < 0 || expires < 0) {
      throw new SpaceDecodeException("admitted join request epoch or expiry out of range");
    }
    JoinRequest r = JoinRequest.decode(Arrays.copyOfRange(value, 17, value.length));
    return new Admitted(r, addedAt, expires);
  }

  /** Keeps an admitted request, in memory and stored, for {@link #readmit}. */
  void remember(Step s, Admitted ad) {
    PeerId joiner = ad.request().joiner().peer();
    Admitted before = admitted.remove(joiner);
    admitted.put(joiner, ad);
    PeerId evicted = null;
    if (admitted.size() > InviteDesk.MAX_HELD) {
      evicted = admitted.keySet().iterator().next();
      admitted.remove(evicted);
    }
    byte[] value = encodeAdmitted(ad);
    if (value.length <= NodeRecord.MAX_VALUE) {
      NodeRecord rec = new NodeRecord(NodeRecord.KIND_READMIT, InviteDesk.heldKey(a.spaceId, joiner), value);
      s.write(t -> t.putNodeRecord(rec));
    }
    if (evicted != null) {
      Id gone = InviteDesk.heldKey(a.spaceId, evicted);
      s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_READMIT, gone));
    }
    s.onFailure(() -> {
      admitted.remove(joiner);
      if (before != null) {
        admitted.put(joiner, before);
      }
    });
  }

  /** Drops an admitted request, in memory and stored. */
  private void dropAdmitted(Step s, PeerId joiner, String why) {
    Admitted ad = admitted.remove(joiner);
    if (ad == null) {
      return;
    }
    LOG.debug("no longer keeping the admitted join request of {}: {}", joiner, why);
    Id key = InviteDesk.heldKey(a.spaceId, joiner);
    s.write(t -> t.deleteNodeRecord(NodeRecord.KIND_READMIT, key));
    s.onFailure(() -> admitted.putIfAbsent(joiner, ad));
  }

  /**
   * After an epoch change of the control group (and at start): drops the admitted requests no
   * fork can still call for. A request goes once the joiner is in the control group more than the
   * kept fork states after this node added it (a branch this node could still leave split off at
   * most that many epochs back, so the joiner is in the branch this node stays on), once the
   * joiner is no longer a member in the space's log, once the invite expired, and in any case
   * {@link ReadmitKeys#KEEP_FACTOR} × the kept states after the add (the joiner no longer keeps
   * the KeyPackages a re-admission needs).
   */
  void pruneAdmitted(Step s) {
    if (admitted.isEmpty() || !a.present) {
      return;
    }
    long epoch = a.control.group().epoch();
    int kept = a.forks.keptStates();
    long nowSeconds = ctx.now().getEpochSecond();
    Map<PeerId, Role> members = a.meta.view().members();
    for (Admitted ad : List.copyOf(admitted.values())) {
      PeerId joiner = ad.request().joiner().peer();
      if (nowSeconds >= ad.expiresAtSeconds()) {
        dropAdmitted(s, joiner, "the invite expired");
      } else if (!members.containsKey(joiner)) {
        dropAdmitted(s, joiner, "no longer a member");
      } else if (epoch >= ad.addedAt() + (long) ReadmitKeys.KEEP_FACTOR * kept) {
        dropAdmitted(s, joiner, "too long ago");
      } else if (epoch > ad.addedAt() + kept && a.control.leafOf(joiner) >= 0) {
        dropAdmitted(s, joiner, "in the branch this node stays on");
      }
    }
  }

  /** Drops every admitted request of this space (this node left it). */
  void forgetAdmitted(Step s) {
    for (PeerId joiner : List.copyOf(admitted.keySet())) {
      dropAdmitted(s, joiner, "this node left the space");
    }
  }

  /** @return the joiners whose admitted requests are kept; for tests */
  java.util.Set<PeerId> admittedJoiners() {
    return java.util.Set.copyOf(admitted.keySet());
  }

  /**
   * Re-admission after a fork ({@link ForkRedo}): this node admitted the joiner on a branch that
   * lost, and the winning branch's control group lacks it, while the space's log still lists it
   * as a member. Adds it again, with the KeyPackages of its request, to the control group and
   * (unless it is there) the default channel, and answers as at the first admission; the joiner
   * opens the Welcomes with the KeyPackages it kept ({@link ReadmitKeys}) and leaves its branch.
   * Nothing is published again: the log already has the joiner and the invite's redemption.
   *
   * @return true if the joiner was added again
   */
  boolean readmit(Step s, PeerId joiner) throws SpacePandaException {
    Admitted ad = admitted.get(joiner);
    JoinRequest r = ad == null ? null : ad.request();
    if (r == null || !a.present || a.control.leafOf(joiner) >= 0
        || !a.meta.view().members().containsKey(joiner) || !a.commits.mayCommit(a.control)) {
      LOG.debug("not re-admitting {}: request kept {}", joiner, r != null);
      return false;
    }
    LOG.info("re-admitting {} to space {}: the branch that admitted it lost a fork", joiner,
        a.spaceId);
    KeyPackage kpControl = NodeContext.keyPackageOf(r.spaceKeyPackage(), joiner);
    KeyPackage kpChannel = NodeContext.keyPackageOf(r.channelKeyPackages().get(0), joiner);
    GroupChannel general = desk.defaultChannel();
    byte[] inboxKey = r.joiner().inboxKey();
    byte[] controlWelcome = desk.addTo(s, a.control, kpControl, joiner, inboxKey);
    byte[] channelWelcome = general.leafOf(joiner) < 0 && a.commits.mayCommit(general)
        ? desk.addTo(s, general, kpChannel, joiner, inboxKey) : null;
    // Kept on: this re-admission may itself be on a branch that loses (two managers at once).
    remember(s, new Admitted(r, a.control.group().epoch(), ad.expiresAtSeconds()));
    desk.answer(s, r, controlWelcome, general, channelWelcome);
    return true;
  }

  /**
   * Re-admission to the default channel after a fork of it ({@link ForkRedo}): the joiner this
   * node admitted is in the control group but the channel's winning branch lacks it.
   *
   * @return true if the joiner was added again
   */
  boolean readmitChannel(Step s, GroupChannel gc, PeerId joiner) throws SpacePandaException {
    Admitted ad = admitted.get(joiner);
    JoinRequest r = ad == null ? null : ad.request();
    if (r == null || !a.present || gc != desk.defaultChannel() || gc.leafOf(joiner) >= 0
        || a.control.leafOf(joiner) < 0 || !a.commits.mayCommit(gc)) {
      return false;
    }
    LOG.info("re-admitting {} to {}: the branch that added it lost a fork", joiner, gc.name());
    KeyPackage kp = NodeContext.keyPackageOf(r.channelKeyPackages().get(0), joiner);
    NodeWire.ChannelInfo ci = SpaceInbound.info(gc);
    a.commits.commitAndBroadcast(s, gc, CommitOptions.builder().add(kp).ratchetTreeInWelcome(true)
        .build(), joiner, r.joiner().inboxKey(), w -> new NodeWire.ChannelWelcome(
            a.spaceId.toBytes(), ci, w));
    return true;
  }
}
