package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of a space's metadata as {@link SpaceState} computed it: name, channels,
 * members with roles and contacts, and counters.
 *
 * <p>Two replicas that hold the same set of operations have equal views ({@link #equals(Object)}
 * compares every part). Immutable and thread-safe: the thread that owns a {@link SpaceState} may
 * publish its views to any other thread.
 */
public final class SpaceView {

  private final SpaceId spaceId;
  private final PeerId owner;
  private final String name;
  private final Map<ChannelId, ChannelInfo> channels;
  private final Map<PeerId, Role> members;
  private final Map<PeerId, Contact> contacts;
  private final long lamport;
  private final int operationCount;
  private final int rejectedCount;

  SpaceView(SpaceId spaceId, PeerId owner, String name, Map<ChannelId, ChannelInfo> channels,
      Map<PeerId, Role> members, Map<PeerId, Contact> contacts, long lamport,
      int operationCount, int rejectedCount) {
    this.spaceId = spaceId;
    this.owner = owner;
    this.name = name;
    this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
    this.members = Collections.unmodifiableMap(new TreeMap<>(members));
    this.contacts = Collections.unmodifiableMap(new TreeMap<>(contacts));
    this.lamport = lamport;
    this.operationCount = operationCount;
    this.rejectedCount = rejectedCount;
  }

  /**
   * Returns the space's id.
   *
   * @return the id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the space's current owner.
   *
   * @return the owner's PeerId, or null once the owner left the space
   */
  public PeerId owner() {
    return owner;
  }

  /**
   * Tells who can still manage the space.
   *
   * @return {@link io.spacepanda.SpaceGovernance#OWNED} while it has an owner, {@link
   *     io.spacepanda.SpaceGovernance#ADMINS_ONLY} when the owner left and admins remain, {@link
   *     io.spacepanda.SpaceGovernance#UNMANAGED} when neither remains
   */
  public io.spacepanda.SpaceGovernance governance() {
    if (owner != null) {
      return io.spacepanda.SpaceGovernance.OWNED;
    }
    return members.containsValue(Role.ADMIN) ? io.spacepanda.SpaceGovernance.ADMINS_ONLY
        : io.spacepanda.SpaceGovernance.UNMANAGED;
  }

  /**
   * Returns the space's name, if an operation named it.
   *
   * @return the name, or empty before the first effective {@link SpaceOp.RenameSpace}
   */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /**
   * Returns the live channels, in the order they were created (the operations' order).
   *
   * @return an unmodifiable map by channel id
   */
  public Map<ChannelId, ChannelInfo> channels() {
    return channels;
  }

  /**
   * Returns the current members and their roles, the owner included, ordered by PeerId.
   *
   * @return an unmodifiable map
   */
  public Map<PeerId, Role> members() {
    return members;
  }

  /**
   * Returns a member's role.
   *
   * @param peer the peer
   * @return the role, or empty if the peer is not a member
   */
  public Optional<Role> roleOf(PeerId peer) {
    return Optional.ofNullable(members.get(peer));
  }

  /**
   * Returns the contact details of the members who published them, ordered by PeerId.
   *
   * @return an unmodifiable map; members without known details are absent
   */
  public Map<PeerId, Contact> contacts() {
    return contacts;
  }

  /**
   * Returns the largest Lamport clock among the operations in range.
   *
   * @return the clock, 0 before the first operation
   */
  public long lamport() {
    return lamport;
  }

  /**
   * Returns how many distinct operations the state holds, rejected ones included.
   *
   * @return the count
   */
  public int operationCount() {
    return operationCount;
  }

  /**
   * Returns how many of the operations did not take effect because their author lacked the right,
   * was not a member, or their Lamport clock jumped ahead of the log.
   *
   * @return the count
   */
  public int rejectedCount() {
    return rejectedCount;
  }

  /**
   * Tells whether {@code o} is a view with equal parts.
   *
   * @param o the other object
   * @return true if every part is equal, channel order included
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SpaceView v
        && spaceId.equals(v.spaceId)
        && Objects.equals(owner, v.owner)
        && Objects.equals(name, v.name)
        && channels.equals(v.channels)
        && channels.keySet().stream().toList().equals(v.channels.keySet().stream().toList())
        && members.equals(v.members)
        && contacts.equals(v.contacts)
        && lamport == v.lamport
        && operationCount == v.operationCount
        && rejectedCount == v.rejectedCount;
  }

  /**
   * Returns a hash of the parts.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(spaceId, name, channels, members, lamport, operationCount);
  }

  /**
   * Returns the parts, for logs.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "SpaceView[" + spaceId + ", name=" + name + ", owner=" + owner + ", channels="
        + channels.values() + ", members=" + members + ", lamport=" + lamport + ", ops="
        + operationCount + ", rejected=" + rejectedCount + "]";
  }
}
