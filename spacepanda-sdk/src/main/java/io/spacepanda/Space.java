package io.spacepanda;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A space: a community holding channels, backed by one MLS control group. Its owner and admins
 * commit its membership changes (see {@link Role} and README, "Who commits"); it keeps working
 * when the owner is offline for good, and the owner can hand the space on or leave it.
 *
 * <p>A {@code Space} is a live view of the node's state: its getters return the state at the
 * moment of the call. Thread-safe. Operations that change state return futures that complete once
 * the change is durable locally, not when other members learned it.
 */
public interface Space {

  /**
   * Returns the space's id, the same on every member.
   *
   * @return the id as hex text
   */
  String id();

  /**
   * Returns the space's display name.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the owner: its creator, or the member it transferred ownership to. Once the owner left
   * without transferring it, returns that former owner and {@link #governance()} says the space
   * has none.
   *
   * @return the owner's peer id
   */
  PeerId owner();

  /**
   * Tells who can still manage the space: an owner, only admins, or nobody.
   *
   * @return the governance by the space's metadata at this moment
   */
  SpaceGovernance governance();

  /**
   * Makes another member the owner; this node, the owner, becomes an {@link Role#ADMIN}.
   *
   * @param member a member of the space, not this node
   * @return completes once the operation is stored and queued; fails with {@link
   *     RoleRequiredException} if this node is not the owner or {@code member} is not a member
   * @throws IllegalArgumentException never directly; the future fails with it if {@code member}
   *     is this node
   */
  CompletableFuture<Void> transferOwnership(PeerId member);

  /**
   * Returns the current members of the space, as this node's control group sees them.
   *
   * @return an immutable snapshot, this node included
   */
  Set<PeerId> members();

  /**
   * Returns the role of each member, as the space's metadata says at this moment.
   *
   * @return an immutable snapshot, the owner included
   */
  Map<PeerId, Role> roles();

  /**
   * Returns a member's role.
   *
   * @param member the member
   * @return the role, or empty if the peer is not a member by the space's metadata
   */
  Optional<Role> role(PeerId member);

  /**
   * Changes a member's role ({@link Role#ADMIN} or {@link Role#MEMBER}).
   *
   * <p>The change is a space metadata operation checked against the roles in force on every
   * member; see {@link Role} for who may do what.
   *
   * @param member the member
   * @param role the new role, not {@link Role#OWNER}
   * @return completes once the operation is stored and queued; fails with {@link
   *     RoleRequiredException} (an {@link IllegalStateException}) if this node's role does not
   *     allow it
   */
  CompletableFuture<Void> setRole(PeerId member, Role role);

  /**
   * Returns the channels of the space this node is a member of.
   *
   * @return an immutable snapshot ordered by name
   */
  List<Channel> channels();

  /**
   * Returns the channel of the space with a name, if this node is a member of it.
   *
   * @param name the channel name
   * @return the channel, or empty
   */
  Optional<Channel> channel(String name);

  /**
   * Creates a channel owned by this node; every member of the space is asked to join it.
   *
   * <p>Only the owner and admins may create channels.
   *
   * @param name the display name, 1 to 100 characters
   * @return completes with the channel once it is stored; fails with {@link
   *     RoleRequiredException} if this node's role does not allow it
   * @throws IllegalArgumentException if the name is empty or too long
   */
  CompletableFuture<Channel> createChannel(String name);

  /**
   * Creates a one-time invite code for this space, valid for 7 days.
   *
   * <p>The code carries the space id, this node's peer id, addresses and inbox key, a one-time
   * secret and the expiry; hand it to the invitee out of band. The owner and admins can invite:
   * this node answers the invitee itself and commits the add, so it must be online when the
   * invitee asks (another admin cannot redeem this node's code).
   *
   * @return completes with the code once the invite is stored; fails with {@link
   *     RoleRequiredException} if this node is not the owner or an admin
   */
  CompletableFuture<String> createInvite();

  /**
   * Removes a member from the space and from every channel this node commits.
   *
   * <p>The owner may remove anyone, an admin only a {@link Role#MEMBER}; this node commits the
   * removal itself. The committers of the other channels remove the member from theirs when they
   * see the commit.
   *
   * @param member the member
   * @return completes once the commit is stored and queued; fails with {@link
   *     RoleRequiredException} if this node's role does not allow it
   */
  CompletableFuture<Void> remove(PeerId member);

  /**
   * Leaves the space: proposes this node's removal from the control group and every channel; the
   * next committer in line commits it.
   *
   * <p>The owner can leave too: the space then has no owner for good ({@link
   * SpaceGovernance#ADMINS_ONLY}, or {@link SpaceGovernance#UNMANAGED} without admins). To hand
   * the space on instead, call {@link #transferOwnership} first.
   *
   * @return completes once the proposals are stored and queued
   */
  CompletableFuture<Void> leave();
}
