package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.space.SpaceState;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides who commits a group: every check of "may this member commit here?"
 * (for this node's own commits and for every commit received) and "who commits the pending
 * proposals now?" goes through it.
 *
 * <p>MLS needs one commit per epoch; without a server the members agree on an ordered list of
 * committers per group and epoch, computed alike by every member from the group's members, its
 * epoch and the space's roles ({@link #roles()}). Any member of the list may commit (its commit is
 * accepted by all); the first one commits other members' proposals at once, the next ones only
 * after the ones before them stayed silent (see {@link SpaceCommits}).
 */
interface CommitPolicy {

  /**
   * Returns the group's committers for its current epoch, in order of precedence.
   *
   * @param meta the space's metadata, whose roles are in force
   * @param group the group
   * @return the committers, members of the group; empty only for an empty group
   */
  List<PeerId> committers(SpaceState meta, GroupChannel group);

  /**
   * Says whether a member may commit the group in its current epoch.
   *
   * @param meta the space's metadata
   * @param group the group
   * @param member the member asking
   * @return true if its commits are to be made and accepted
   */
  default boolean mayCommit(SpaceState meta, GroupChannel group, PeerId member) {
    return committers(meta, group).contains(member);
  }

  /**
   * Returns the member expected to commit the group's next epoch.
   *
   * @param meta the space's metadata
   * @param group the group
   * @return the first committer, or null for an empty group
   */
  default PeerId committer(SpaceState meta, GroupChannel group) {
    List<PeerId> c = committers(meta, group);
    return c.isEmpty() ? null : c.get(0);
  }

  /**
   * Returns the members that may send a path refresh (a commit of no proposal with an UpdatePath,
   * which only fills the sender's path of the ratchet tree) in the group's current epoch, in order
   * of precedence; see {@link PathRefresh}. A committer may send one anyway.
   *
   * @param meta the space's metadata
   * @param group the group
   * @return the refreshers; empty when the tree is full
   */
  default List<PeerId> refreshers(SpaceState meta, GroupChannel group) {
    return PathRefresh.refreshers(group);
  }

  /**
   * Says whether a member that is not a committer may send a path refresh of the group now.
   *
   * @param meta the space's metadata
   * @param group the group
   * @param member the member asking
   * @return true if its path refresh is to be made and accepted
   */
  default boolean mayRefreshPath(SpaceState meta, GroupChannel group, PeerId member) {
    return refreshers(meta, group).contains(member);
  }

  /**
   * Returns the single-committer rule of the first versions: the group's creator commits, alone.
   *
   * @return the policy
   */
  static CommitPolicy ownerOnly() {
    return new CommitPolicy() {
      @Override
      public List<PeerId> committers(SpaceState meta, GroupChannel group) {
        return List.of(group.owner());
      }

      @Override
      public String toString() {
        return "CommitPolicy.ownerOnly";
      }
    };
  }

  /**
   * Returns the role-based rule. The committers of a group are its members whose role in the space
   * is {@link Role#OWNER} or {@link Role#ADMIN}, in this order:
   *
   * <ol>
   *   <li>the group's creator (for a channel, the member who created it), if it is still a member
   *       and an owner or admin;
   *   <li>the space's owner, if it is a member of the group;
   *   <li>the other admins, ordered by SHA-256("spacepanda committer" || epoch || group id ||
   *       PeerId), so that the fallback order changes every epoch and no admin is always last.
   * </ol>
   *
   * <p>When no owner or admin is a member of the group (the space is {@linkplain
   * io.spacepanda.SpaceGovernance#UNMANAGED unmanaged}, or its managers left this channel), every
   * member of the group is a committer, in the hashed order: leaves and key updates still get
   * committed.
   *
   * @return the policy
   */
  static CommitPolicy roles() {
    return new CommitPolicy() {
      @Override
      public List<PeerId> committers(SpaceState meta, GroupChannel group) {
        Map<PeerId, Role> roles = meta.view().members();
        Set<PeerId> members = group.members();
        List<PeerId> managers = new ArrayList<>();
        for (PeerId p : members) {
          Role r = roles.get(p);
          if (r == Role.OWNER || r == Role.ADMIN) {
            managers.add(p);
          }
        }
        List<PeerId> pool = managers.isEmpty() ? new ArrayList<>(members) : managers;
        return ordered(pool, group.owner(), meta.view().owner(), group.group().epoch(),
            group.id().toBytes());
      }

      @Override
      public String toString() {
        return "CommitPolicy.roles";
      }
    };
  }

  /**
   * Orders a pool of committers: the group's creator, then the space's owner (each only if in
   * the pool), then the rest by their hashed {@link #rank} in the epoch.
   *
   * @param pool the candidates; sorted in place
   * @param creator the group's creator
   * @param spaceOwner the space's owner, or null
   * @param epoch the epoch the ranks are drawn for
   * @param groupId the group id
   * @return the order, without repeats
   */
  static List<PeerId> ordered(List<PeerId> pool, PeerId creator, PeerId spaceOwner, long epoch,
      byte[] groupId) {
    LinkedHashSet<PeerId> order = new LinkedHashSet<>();
    if (pool.contains(creator)) {
      order.add(creator);
    }
    if (spaceOwner != null && pool.contains(spaceOwner)) {
      order.add(spaceOwner);
    }
    pool.sort(Comparator.comparing((PeerId p) -> rank(epoch, groupId, p),
        Arrays::compareUnsigned));
    order.addAll(pool);
    return List.copyOf(order);
  }

  /** The hashed fallback rank of a committer in an epoch of a group. */
  static byte[] rank(long epoch, byte[] groupId, PeerId peer) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("spacepanda committer".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      d.update(ByteBuffer.allocate(8).putLong(epoch).array());
      d.update(groupId);
      d.update(peer.bytes());
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
