package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SyncEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forks of a space's groups: two commits for one epoch, made on both sides of a partition by two
 * committers (README "Who commits").
 *
 * <p>Detection. Every commit this node makes or applies records the new epoch's authenticator,
 * the commit's hash and its sender ({@link EpochHistory}), and the group state of the epoch before
 * it, for the last {@link #keptStates()} epochs. Sync summaries carry the last {@link
 * EpochHistory#KEEP} entries ({@link NodeWire#EXT_EPOCHS}); a member whose entry for an epoch
 * differs from the asker's is on another branch.
 *
 * <p>Resolution. Both compute the same winner ({@link EpochHistory#mineWins}). The winner sends
 * its commits from the fork's parent epoch on; the loser restores its state of the parent epoch,
 * applies the winning commit (refused unless its sender is a committer of that epoch), follows the
 * winner's later commits by sync, and once at the winner's epoch re-proposes the removals its
 * branch made, invites again to channels the members its branch added, and sends again its own
 * application messages and space operations of the losing branch (same sender sequence: members
 * that had them keep one copy).
 *
 * <p>Every method runs in a step of the owning {@link SpaceActor}, on its lane.
 */
final class Forks {

  private static final Logger LOG = LoggerFactory.getLogger(Forks.class);
  /** Fewest past group states kept for fork resolution, whatever the past-epoch retention. */
  static final int MIN_KEPT_STATES = 8;
  /** Own messages of one group looked at when re-sending a losing branch's. */
  static final int MAX_RESEND = 512;
  private static final byte[] HISTORY_SUFFIX = "/epochs".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STATE_SUFFIX = "/at/".getBytes(StandardCharsets.US_ASCII);

  private final SpaceActor a;
  private final NodeContext ctx;
  private final Map<Id, List<EpochHistory.Entry>> histories = new HashMap<>();
  /** Per group, the winning branch this node waits to follow: its commit at the parent. */
  private final Map<Id, Pending> pending = new HashMap<>();
  /** Per group, what to do again once this node reached the winner's epoch (stored). */
  private final ForkRedo redo;
  /** When this node last sent its branch's commits, per (group, member, parent epoch). */
  private final Map<String, java.time.Instant> served = new HashMap<>();
  /** A member on a losing branch is sent the winning commits at most this often. */
  static final java.time.Duration SERVE_AGAIN_AFTER = java.time.Duration.ofSeconds(10);
  /** Per group, the epoch this node last moved to a winning branch at, since it started. */
  private final Map<Id, Long> moved = new HashMap<>();
  /** Forks reported as unresolvable, once each. */
  private final Set<String> reported = new HashSet<>();

  private record Pending(long parent, byte[] commitHash, long tip) {}

  Forks(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
    this.redo = new ForkRedo(actor);
  }

  /** @return how many past group states are kept per group */
  int keptStates() {
    return Math.max(ctx.config.pastEpochRetention(), MIN_KEPT_STATES);
  }

  // ---------------------------------------------------------------------------------------------
  // Recording

  /**
   * Records a commit just merged: the state before it, and the new epoch's entry.
   *
   * @param s the step
   * @param gc the group, now in the commit's epoch + 1
   * @param stateBefore {@link Group#toBytes()} of the group before the commit
   * @param parent the epoch the commit was made in
   * @param commitBytes the commit as sent
   * @param committer its sender
   */
  void committed(Step s, GroupChannel gc, byte[] stateBefore, long parent, byte[] commitBytes,
      PeerId committer) throws SpacePandaException {
    EpochHistory.Entry e = new EpochHistory.Entry(parent + 1, gc.group().epochAuthenticator(),
        NodeContext.sha256(commitBytes), committer.bytes());
    List<EpochHistory.Entry> h = EpochHistory.append(history(gc), e);
    histories.put(gc.id(), h);
    byte[] encoded = EpochHistory.encode(h);
    Id at = stateKey(gc.id(), parent);
    long oldest = parent - keptStates();
    Id historyKey = suffixed(gc.id(), HISTORY_SUFFIX);
    s.write(t -> {
      t.putGroupState(at, SecretBlob.copyOf(stateBefore));
      if (oldest >= 0) {
        t.deleteGroupState(stateKey(gc.id(), oldest));
      }
      t.putGroupState(historyKey, SecretBlob.copyOf(encoded));
    });
  }

  /** After an epoch change: finishes a switch to a winning branch once at its epoch. */
  void afterEpochChange(Step s, GroupChannel gc) throws SpacePandaException {
    redo.afterEpochChange(s, gc);
    if (gc.isControl()) {
      ReadmitKeys.expire(s, ctx, a.spaceId, gc.group().epoch(), keptStates());
      a.invites.readmits.pruneAdmitted(s);
    }
  }

  /** Forgets a group this node left: its kept states and entries. */
  void forget(Step s, GroupChannel gc) throws SpacePandaException {
    if (gc.isControl()) {
      ReadmitKeys.forget(s, ctx, a.spaceId);
      a.invites.readmits.forgetAdmitted(s);
    }
    histories.remove(gc.id());
    moved.remove(gc.id());
    pending.remove(gc.id());
    redo.forget(s, gc.id());
    long epoch = gc.group().epoch();
    int kept = keptStates();
    Id id = gc.id();
    s.write(t -> {
      for (long e = Math.max(0, epoch - kept - 1); e <= epoch; e++) {
        t.deleteGroupState(stateKey(id, e));
      }
      t.deleteGroupState(suffixed(id, HISTORY_SUFFIX));
    });
  }

  /** @return the group's entries, its current epoch last */
  List<EpochHistory.Entry> current(GroupChannel gc) throws SpacePandaException {
    List<EpochHistory.Entry> h = history(gc);
    long epoch = gc.group().epoch();
    if (h.isEmpty() || h.get(h.size() - 1).epoch() != epoch) {
      // Created or joined here (or the entries were lost): the current epoch alone.
      h = EpochHistory.append(h, new EpochHistory.Entry(epoch, gc.group().epochAuthenticator(),
          new byte[0], new byte[0]));
      histories.put(gc.id(), h);
    }
    return h;
  }

  /**
   * Says whether messages of a group may arrive again under a (sender, sequence) this node holds:
   * only after it moved to a winning branch, whose members re-send their losing branch's.
   */
  boolean mayReceiveAgain(GroupChannel gc) {
    Long at = moved.get(gc.id());
    if (at != null && gc.group().epoch() > at + keptStates() * 4L) {
      moved.remove(gc.id());
      return false;
    }
    return at != null;
  }

  /** @return the entries recorded in memory for a group; for tests */
  List<EpochHistory.Entry> recorded(Id groupId) {
    return histories.getOrDefault(groupId, List.of());
  }

  /** @return the {@link NodeWire#EXT_EPOCHS} extension of the group's summaries */
  NodeWire.SyncExtension extension(GroupChannel gc) throws SpacePandaException {
    return new NodeWire.SyncExtension(NodeWire.EXT_EPOCHS, EpochHistory.encode(current(gc)));
  }

  private List<EpochHistory.Entry> history(GroupChannel gc) throws SpacePandaException {
    List<EpochHistory.Entry> h = histories.get(gc.id());
    if (h != null) {
      return h;
    }
    Optional<SecretBlob> stored = ctx.storage.inTransaction(
        t -> t.groupState(suffixed(gc.id(), HISTORY_SUFFIX)));
    h = List.of();
    if (stored.isPresent()) {
      try {
        h = EpochHistory.decode(stored.get().revealBytes());
      } catch (MlsDecodeException e) {
        LOG.warn("unreadable epoch entries of {}; starting afresh", gc.name());
      }
    }
    List<EpochHistory.Entry> kept = new ArrayList<>();
    for (EpochHistory.Entry e : h) {
      if (e.epoch() <= gc.group().epoch()) {
        kept.add(e);
      }
    }
    histories.put(gc.id(), kept);
    return kept;
  }

  // ---------------------------------------------------------------------------------------------
  // Detection

  /**
   * Compares the asker's entries of a group with this node's.
   *
   * @param s the step
   * @param gc the group
   * @param asker the member that sent its summary or request
   * @param extensions the summary's extensions
   * @param sync to answer with commits or ask back
   * @return true if the asker is on another branch: the caller then serves it nothing else
   */
  boolean onSummary(Step s, GroupChannel gc, PeerId asker, Contact contact,
      List<NodeWire.SyncExtension> extensions, ChannelSync sync) throws SpacePandaException {
    List<EpochHistory.Entry> theirs = null;
    for (NodeWire.SyncExtension x : extensions) {
      if (x.type() == NodeWire.EXT_EPOCHS) {
        try {
          theirs = EpochHistory.decode(x.body());
        } catch (MlsDecodeException e) {
          ctx.drop(DropReason.MALFORMED, "sync epoch entries");
          return false;
        }
      }
    }
    if (theirs == null) {
      return false;
    }
    EpochHistory.Fork f = EpochHistory.compare(current(gc), theirs);
    if (f == null) {
      return false;
    }
    if (!f.theirs().hasCommit() && f.mine().hasCommit()) {
      // The other member joined on another branch: its own to leave (a manager of the winning
      // branch admits it again, ForkReadmit#readmit); nothing for this node to resolve.
      LOG.debug("{} joined {} on another branch at epoch {}", asker, gc.name(), f.parent() + 1);
      return true;
    }
    if (!gc.isControl() && !f.mine().hasCommit() && f.theirs().hasCommit()) {
      // This node joined the channel on a branch the asker's differs from, and holds no state of
      // the epoch they split from: it asks the channel's owner to add it again (ChannelJoins).
      LOG.debug("{} joined {} on another branch than {}'s", ctx.self, gc.name(), asker);
      a.joins.requestAgain(s, gc);
      return true;
    }
    if (!f.decidable() || f.parent() < gc.group().epoch() - keptStates()) {
      unresolved(s, gc, f.parent(), "this node holds no state of the epoch the branches split"
          + " from (it joined later, or the fork is older than its kept states)");
      return true;
    }
    if (EpochHistory.mineWins(f, gc.id().toBytes(), gc.owner())) {
      LOG.info("{} is on another branch of {} from epoch {}; this node's branch wins", asker,
          gc.name(), f.parent());
      java.time.Instant now = ctx.now();
      String key = gc.id() + "/" + asker + "/" + f.parent();
      java.time.Instant last = served.get(key);
      if (last == null || !now.isBefore(last.plus(SERVE_AGAIN_AFTER))) {
        if (served.size() >= 1024) {
          served.clear();
        }
        served.put(key, now);
        sendCommits(s, gc, asker, contact, f.parent());
      }
    } else {
      LOG.info("{} is on a winning branch of {} from epoch {}; following it", asker, gc.name(),
          f.parent());
      pending.put(gc.id(), new Pending(f.parent(), f.theirs().commitHash(),
          Math.max(f.theirEpoch(), f.parent() + 1)));
      sync.askAgain(a, s, gc.id(), asker);
    }
    return true;
  }

  /**
   * Sends a member the commits this node made or applied from an epoch on (its branch of a fork,
   * which the member follows); in a step of the space.
   */
  private void sendCommits(Step s, GroupChannel gc, PeerId to, Contact contact,
      long fromEpoch) throws SpacePandaException {
    long myEpoch = gc.group().epoch();
    List<SyncEnvelope> commits = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(gc.id(), ChannelSync.COMMITS, fromEpoch, NodeWire.MAX_SYNC_ITEMS));
    List<NodeWire.SyncItem> items = new ArrayList<>();
    int bytes = 0;
    long expected = fromEpoch;
    for (SyncEnvelope k : commits) {
      int len = k.mlsMessageLength();
      if (k.sequence() != expected || k.sequence() >= myEpoch || len == 0
          || len > NodeWire.MAX_SYNC_MESSAGE
          || (!items.isEmpty() && bytes + len > ChannelSync.MAX_RESPONSE_BYTES)) {
        break;
      }
      bytes += len;
      expected++;
      items.add(new NodeWire.SyncItem(k.sender().toBytes(), k.sequence(), k.epoch(),
          k.mlsMessage()));
    }
    if (items.isEmpty()) {
      LOG.debug("no commits kept from epoch {} of {} to send", fromEpoch, gc.name());
      return;
    }
    s.touch();
    a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), to,
        contact.inboxKey(), new NodeWire.SyncResponse(a.spaceId.toBytes(), gc.id().toBytes(),
            ctx.self.bytes(), expected < myEpoch, items)));
  }

  private void unresolved(Step s, GroupChannel gc, long parent, String why) {
    if (!reported.add(gc.id() + "/" + parent)) {
      return;
    }
    LOG.warn("{} forked at epoch {} and this node cannot move to the other branch: {}", gc.name(),
        parent, why);
    io.spacepanda.Space sh = a.services.handles().space(a.spaceId, a.record.name());
    String gid = gc.idString();
    s.event(l -> l.onForkUnresolved(sh, gid, parent));
  }

  // ---------------------------------------------------------------------------------------------
  // Resolution

  /**
   * Offers a commit fetched by sync for an epoch before the group's: if it is the winning commit
   * this node waits for, moves the group to its branch.
   *
   * @return true if it was taken
   */
  boolean offer(Step s, GroupChannel gc, byte[] commitBytes, long epoch)
      throws SpacePandaException {
    Pending p = pending.get(gc.id());
    if (p == null || p.parent() != epoch
        || !Arrays.equals(NodeContext.sha256(commitBytes), p.commitHash())) {
      return false;
    }
    pending.remove(gc.id());
    switchTo(s, gc, p, commitBytes);
    return true;
  }

  private void switchTo(Step s, GroupChannel gc, Pending p, byte[] commitBytes)
      throws SpacePandaException {
    long parent = p.parent();
    long oldEpoch = gc.group().epoch();
    Optional<SecretBlob> st = ctx.storage.inTransaction(
        t -> t.groupState(stateKey(gc.id(), parent)));
    if (st.isEmpty()) {
      unresolved(s, gc, parent, "its state of that epoch is no longer kept");
      return;
    }
    Group g = Group.fromBytes(ctx.mls, st.get().revealBytes());
    if (g.epoch() != parent) {
      unresolved(s, gc, parent, "its kept state is of another epoch");
      return;
    }
    GroupChannel next = new GroupChannel(gc.id(), gc.spaceId(), gc.name(), gc.kind(), gc.owner(),
        gc.createdAt(), g, gc.lamport(), gc.nextSequence());
    MlsMessage m = TlsReader.decodeExactly(commitBytes, MlsMessage::decode);
    PeerId committer;
    ProcessedMessage.CommitApplied c;
    Set<PeerId> parentMembers = next.members();
    try {
      committer = peerAt(next, g.senderLeafOf(m));
      // A path refresh of one of the parent epoch's refreshers (PathRefresh) may win too.
      boolean refresh = committer != null && !ctx.policy.mayCommit(a.meta, next, committer)
          && ctx.policy.mayRefreshPath(a.meta, next, committer);
      if (committer == null || (!refresh && !ctx.policy.mayCommit(a.meta, next, committer))) {
        ctx.drop(DropReason.REFUSED, "winning commit of a fork from a non-committer");
        return;
      }
      ProcessedMessage pm = refresh ? g.processPathRefresh(m) : g.process(m);
      if (!(pm instanceof ProcessedMessage.CommitApplied ca)) {
        ctx.drop(DropReason.UNEXPECTED, "winning commit of a fork is not a commit");
        return;
      }
      c = ca;
    } catch (MlsException e) {
      ctx.drop(DropReason.UNDECRYPTABLE, "winning commit of a fork: " + e.getMessage());
      return;
    }
    s.touch();
    Set<PeerId> losing = gc.members();
    Set<PeerId> removed = new TreeSet<>(parentMembers);
    removed.removeAll(losing);
    Set<PeerId> added = new TreeSet<>(losing);
    added.removeAll(parentMembers);
    // Adopt: the envelope keys of the epochs both branches share, then the new group.
    byte[] shared = sharedKeySecrets(gc, parent);
    a.unregister(gc);
    if (shared != null) {
      next.restoreKeySecrets(shared);
    }
    if (gc.isControl()) {
      a.control = next;
    }
    a.register(next);
    a.due.remove(gc.id());
    a.aheadSeen.remove(gc.id());
    List<EpochHistory.Entry> h = new ArrayList<>();
    for (EpochHistory.Entry e : history(gc)) {
      if (e.epoch() <= parent) {
        h.add(e);
      }
    }
    h = EpochHistory.append(h, new EpochHistory.Entry(parent + 1, g.epochAuthenticator(),
        NodeContext.sha256(commitBytes), committer.bytes()));
    histories.put(gc.id(), h);
    byte[] encoded = EpochHistory.encode(h);
    Id gid = gc.id();
    s.write(t -> {
      GroupStore.saveGroup(t, next);
      t.putGroupState(suffixed(gid, HISTORY_SUFFIX), SecretBlob.copyOf(encoded));
      t.replaceSyncEnvelope(new SyncEnvelope(gid, ChannelSync.COMMITS, parent, parent,
          commitBytes));
      for (long e = parent + 1; e < oldEpoch; e++) {
        // The losing branch's commits: never served again.
        t.replaceSyncEnvelope(new SyncEnvelope(gid, ChannelSync.COMMITS, e, e, new byte[0]));
        t.deleteGroupState(stateKey(gid, e));
      }
    });
    ctx.seen.put(MessageId.of(NodeContext.sha256(commitBytes)), Boolean.TRUE);
    LOG.info("{} moved from its branch (epoch {}) to the winning one at epoch {}", gc.name(),
        oldEpoch, parent + 1);
    io.spacepanda.Space sh = a.services.handles().space(a.spaceId, a.record.name());
    String gidHex = gc.idString();
    s.event(l -> l.onForkResolved(sh, gidHex, parent));
    // Undo what the losing branch showed: back to the parent epoch's members, before the winning
    // commit's own events (afterEpochChange).
    redo.undoShown(s, next, losing, parentMembers);
    redo.put(s, gc.id(), new ForkRedo.Catchup(parent, p.tip(), removed, added));
    moved.put(gc.id(), parent + 1);
    a.commits.afterEpochChange(s, next, c);
  }

  // ---------------------------------------------------------------------------------------------
  // Re-admission (a newcomer admitted on a losing branch)

  /**
   * A manager added this node again ({@link ForkReadmit#readmit}): the answer's Welcomes, opened
   * with the KeyPackages kept since the join ({@link ReadmitKeys}), replace the groups of the
   * branch that admitted this node; the answer's space operations are merged first.
   *
   * @param s the step
   * @param r the accepted join answer
   */
  void readmitted(Step s, io.spacepanda.internal.space.JoinResponse r)
      throws SpacePandaException {
    io.spacepanda.internal.mls.group.KeyPackageBundle kp = a.joins.storedKeyPackage(
        r.spaceWelcome());
    if (!a.present || kp == null) {
      ctx.drop(DropReason.UNEXPECTED, "re-admission without a kept KeyPackage");
      return;
    }
    Group g = ctx.joinGroup(r.spaceWelcome(), kp);
    if (!Arrays.equals(g.groupId(), a.spaceId.toBytes())) {
      ctx.drop(DropReason.UNEXPECTED, "re-admission into another group");
      return;
    }
    a.inbound.mergeOps(s, r.log());
    rejoin(s, a.control, g);
    for (io.spacepanda.internal.space.JoinResponse.ChannelWelcome cw : r.channelWelcomes()) {
      GroupChannel gc = a.channels.get(Id.of(cw.channelId().bytes()));
      io.spacepanda.internal.mls.group.KeyPackageBundle ckp = a.joins.storedKeyPackage(
          cw.welcome());
      if (gc == null || ckp == null) {
        continue;
      }
      Group cg = ctx.joinGroup(cw.welcome(), ckp);
      if (Arrays.equals(cg.groupId(), gc.id().toBytes())) {
        rejoin(s, gc, cg);
      }
    }
  }

  /**
   * Replaces a group of a losing branch by the one a re-admission Welcome opened, unless that
   * Welcome is of the branch this node is on (a copy sent again): this node then sends again its
   * own messages of the group (same sender sequences), as after a switch.
   *
   * @return true if the group was replaced
   */
  boolean rejoin(Step s, GroupChannel gc, Group g) throws SpacePandaException {
    for (EpochHistory.Entry e : current(gc)) {
      if (e.epoch() == g.epoch() && Arrays.equals(e.authenticator(), g.epochAuthenticator())) {
        LOG.debug("a re-admission Welcome to {} of the branch this node is on; ignored",
            gc.name());
        return false;
      }
    }
    if (ReadmitKeys.joinedBefore(s, ctx, a.spaceId, g.epochAuthenticator())) {
      // A kept Welcome sent again (a lost-Welcome hint): never go back to an older state.
      LOG.debug("a Welcome to {} this node joined from before; ignored", gc.name());
      return false;
    }
    ReadmitKeys.joined(s, a.spaceId, g.epochAuthenticator());
    s.touch();
    long oldEpoch = gc.group().epoch();
    GroupChannel next = new GroupChannel(gc.id(), gc.spaceId(), gc.name(), gc.kind(), gc.owner(),
        gc.createdAt(), g, gc.lamport(), gc.nextSequence());
    Set<PeerId> shown = gc.members();
    a.unregister(gc);
    if (gc.isControl()) {
      a.control = next;
    }
    a.register(next);
    redo.undoShown(s, next, shown, next.members());
    Id gid = gc.id();
    a.due.remove(gid);
    a.aheadSeen.remove(gid);
    pending.remove(gid);
    List<EpochHistory.Entry> h = List.of(new EpochHistory.Entry(g.epoch(),
        g.epochAuthenticator(), new byte[0], new byte[0]));
    histories.put(gid, h);
    byte[] encoded = EpochHistory.encode(h);
    int kept = keptStates();
    s.write(t -> {
      GroupStore.saveGroup(t, next);
      t.putGroupState(suffixed(gid, HISTORY_SUFFIX), SecretBlob.copyOf(encoded));
      for (long e = Math.max(0, oldEpoch - kept - 1); e <= oldEpoch; e++) {
        t.deleteGroupState(stateKey(gid, e));
      }
    });
    LOG.info("{} re-admitted: left its branch (epoch {}) for the winning one at epoch {}",
        gc.name(), oldEpoch, g.epoch());
    moved.put(gid, g.epoch());
    // Everything this newcomer sent was on the losing branch: send it again (parent 0).
    redo.put(s, gid, new ForkRedo.Catchup(0, Math.max(1, g.epoch()), Set.of(), Set.of()));
    redo.afterEpochChange(s, next);
    a.refresh.arm(s, next);
    return true;
  }

  // ---------------------------------------------------------------------------------------------

  /** The envelope key secrets of the epochs up to the parent, for the group that replaces gc. */
  private static byte[] sharedKeySecrets(GroupChannel gc, long parent) {
    byte[] all = gc.encodeKeySecrets();
    ByteBuffer in = ByteBuffer.wrap(all);
    int n = all.length == 0 ? 0 : in.get() & 0xFF;
    ByteBuffer out = ByteBuffer.allocate(all.length);
    int kept = 0;
    out.put((byte) 0);
    for (int i = 0; i < n; i++) {
      long epoch = in.getLong();
      byte[] secret = new byte[32];
      in.get(secret);
      if (epoch <= parent) {
        out.putLong(epoch).put(secret);
        kept++;
      }
    }
    if (kept == 0) {
      return null;
    }
    out.put(0, (byte) kept);
    return Arrays.copyOf(out.array(), 1 + kept * 40);
  }

  private static PeerId peerAt(GroupChannel gc, int leaf) {
    for (Member mem : gc.group().members()) {
      if (mem.leafIndex() == leaf) {
        return GroupChannel.peerOf(mem);
      }
    }
    return null;
  }

  static Id stateKey(Id groupId, long epoch) {
    byte[] g = groupId.toBytes();
    return Id.of(ByteBuffer.allocate(g.length + STATE_SUFFIX.length + 8).put(g).put(STATE_SUFFIX)
        .putLong(epoch).array());
  }

  static Id suffixed(Id groupId, byte[] suffix) {
    byte[] g = groupId.toBytes();
    byte[] out = Arrays.copyOf(g, g.length + suffix.length);
    System.arraycopy(suffix, 0, out, g.length, suffix.length);
    return Id.of(out);
  }
}
