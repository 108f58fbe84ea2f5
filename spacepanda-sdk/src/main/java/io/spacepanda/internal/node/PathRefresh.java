package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.spi.Id;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tree health: members take turns refreshing their own path of a group's ratchet tree, so that
 * committers' commits encrypt to about log2(n) keys instead of up to n - 1 (issue 11 item 5).
 *
 * <p>Only a commit with an UpdatePath from a member itself fills that member's direct path
 * (RFC 9420 §7.5); committing its Update proposal blanks the path instead (§12.1.2). So the
 * members whose refresh would fill the most ({@link
 * io.spacepanda.internal.mls.group.Group#refreshGains()}) are, in each epoch, the group's
 * <em>refreshers</em>: at most {@link #SLOTS} of them, by gain, ties broken by SHA-256("spacepanda
 * refresh" || epoch || group id || PeerId). Every member computes the same list from the same
 * tree. A refresher may send a <em>path refresh</em>, a commit of no proposal with a path; every
 * member accepts it from a refresher ({@link
 * io.spacepanda.internal.mls.group.Group#processPathRefresh}) and refuses it from anyone else who
 * is not a committer, as it refuses any commit carrying proposals from a non-committer.
 *
 * <p>The schedule: after each epoch change, the k-th refresher (from 0) sends its refresh once
 * the group stayed quiet for {@code quiet + k × committerTimeout} (no commit, no pending
 * proposal, no commit pending here, no later epoch seen). A commit in between changes the epoch
 * and starts the wait again; the quiet period is the builder's {@code pathRefreshInterval}
 * (default {@link #DEFAULT_QUIET}). Timers are armed at every epoch change and again when a node
 * restarts ({@link #armAll}).
 *
 * <p>Groups of fewer than {@link #MIN_MEMBERS} members are left alone, on purpose: a commit there
 * encrypts to at most {@code MIN_MEMBERS - 1} = 7 keys whether the tree is full or not (a full
 * tree of 8 leaves still needs 3), so a refresh would save at most 4 HPKE encryptions per commit
 * while costing a commit sent to every member and one more chance of a fork. Tree health is about
 * the cost of commits; it is not how members renew their keys for post-compromise security
 * ({@code Channel.rotateKeys()} does that, in groups of any size).
 *
 * <p>Limit: a refresh and a committer's commit made in the same epoch at the same time fork the
 * group, like two committers' commits do; the quiet period makes that unlikely, and fork
 * resolution is what settles it.
 */
final class PathRefresh {

  /** How long a group stays quiet by default before its first refresher refreshes. */
  static final Duration DEFAULT_QUIET = Duration.ofMinutes(10);

  /** Refreshers per epoch: the first one refreshes, the next ones only if it stays silent. */
  static final int SLOTS = 3;

  /** Groups smaller than this are not refreshed. */
  static final int MIN_MEMBERS = 8;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PathRefresh.class);

  private final SpaceActor a;
  private final NodeContext ctx;
  /** Per group, the epoch a refresh timer is armed for. */
  private final Map<Id, Long> armed = new HashMap<>();

  PathRefresh(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
  }

  /**
   * Returns the group's refreshers in its current epoch, in order: members whose path refresh
   * would fill the tree, most useful first, at most {@link #SLOTS}.
   *
   * @param gc the group
   * @return the refreshers; empty when the tree is full or the group small
   */
  static List<PeerId> refreshers(GroupChannel gc) {
    if (!gc.group().isActive()) {
      return List.of();
    }
    List<Member> members = gc.group().members();
    if (members.size() < MIN_MEMBERS) {
      return List.of();
    }
    int[] gains = gc.group().refreshGains();
    long epoch = gc.group().epoch();
    byte[] groupId = gc.id().toBytes();
    record Candidate(PeerId peer, int gain, byte[] rank) {}
    List<Candidate> candidates = new ArrayList<>();
    for (Member m : members) {
      int gain = m.leafIndex() < gains.length ? gains[m.leafIndex()] : 0;
      if (gain > 0) {
        PeerId p = GroupChannel.peerOf(m);
        candidates.add(new Candidate(p, gain, rank(epoch, groupId, p)));
      }
    }
    candidates.sort(Comparator.comparingInt((Candidate c) -> -c.gain())
        .thenComparing(Candidate::rank, Arrays::compareUnsigned));
    List<PeerId> out = new ArrayList<>(SLOTS);
    for (int i = 0; i < candidates.size() && i < SLOTS; i++) {
      out.add(candidates.get(i).peer());
    }
    return out;
  }

  /** The tie-break rank of a refresher in an epoch of a group. */
  static byte[] rank(long epoch, byte[] groupId, PeerId peer) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("spacepanda refresh".getBytes(StandardCharsets.US_ASCII));
      d.update(ByteBuffer.allocate(8).putLong(epoch).array());
      d.update(groupId);
      d.update(peer.bytes());
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * Arms this node's refresh timer for the group's current epoch if it is one of the epoch's
   * refreshers; called after every epoch change. Runs inside a step of the space's actor.
   */
  void arm(Step s, GroupChannel gc) {
    Duration quiet = ctx.pathRefreshQuiet;
    if (quiet == null || quiet.isZero() || quiet.isNegative()) {
      return;
    }
    long epoch = gc.group().epoch();
    Long done = armed.get(gc.id());
    if (done != null && done == epoch) {
      return;
    }
    int slot = refreshers(gc).indexOf(ctx.self);
    if (slot < 0) {
      armed.remove(gc.id());
      return;
    }
    armed.put(gc.id(), epoch);
    Duration wait = quiet.plus(ctx.config.committerTimeout().multipliedBy(slot));
    Id gid = gc.id();
    s.afterCommit(() -> ctx.scheduler.schedule(wait, () -> a.step(s2 -> {
      GroupChannel g = gid.equals(a.control.id()) ? (a.present ? a.control : null)
          : a.channels.get(gid);
      if (g != null) {
        refreshIfDue(s2, g, epoch);
      }
      return null;
    })));
  }

  /** Arms the timers of every group of the space; after a restart. Runs inside a step. */
  void armAll(Step s) {
    if (a.present) {
      arm(s, a.control);
    }
    for (GroupChannel gc : List.copyOf(a.channels.values())) {
      arm(s, gc);
    }
  }

  /**
   * Sends this node's path refresh of the group if the group is still in {@code epoch}, quiet,
   * and this node still one of its refreshers.
   */
  void refreshIfDue(Step s, GroupChannel gc, long epoch) throws SpacePandaException {
    if (gc.group().epoch() != epoch) {
      return;
    }
    armed.remove(gc.id());
    // Pending proposals or a later epoch seen: the commit that follows re-arms the timer.
    if (!gc.group().isActive() || gc.group().pendingProposalCount() > 0
        || gc.group().pendingCommitOrNull() != null) {
      return;
    }
    if (ctx.now().isBefore(a.quietUntil)) {
      // Just reconnected: copies made meanwhile may bring a commit of this epoch; wait again.
      arm(s, gc);
      return;
    }
    SpaceActor.Ahead ahead = a.aheadSeen.get(gc.id());
    if (ahead != null && ahead.epoch() > epoch) {
      return;
    }
    if (!refreshers(gc).contains(ctx.self)) {
      return;
    }
    LOG.debug("refreshing this node's path of {} in epoch {}", gc.name(), epoch);
    a.commits.commitIgnoringPolicy(s, gc, CommitOptions.builder().includePendingProposals(false)
        .forcePath(true).ratchetTreeInWelcome(false).build(), null, null, null);
  }
}
