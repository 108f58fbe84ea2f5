package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A visible difference between two views of a space, for listener events: what changed when an
 * operation (or a late one that re-ordered history) was applied.
 *
 * <p>Changes are computed from views, not from operations, so a late operation that undoes earlier
 * effects (a demotion cancelling an admin's later channel) yields the events that describe the new
 * state (the channel is deleted). A member that leaves and one that is removed both show as {@link
 * MemberGone}; the operation applied tells which.
 */
public sealed interface SpaceChange {

  /**
   * The space has a new name.
   *
   * @param name the new name
   */
  record SpaceRenamed(String name) implements SpaceChange {}

  /**
   * A channel appeared.
   *
   * @param channel the channel
   */
  record ChannelCreated(ChannelInfo channel) implements SpaceChange {}

  /**
   * A channel has a new name.
   *
   * @param channel the channel, with its new name
   * @param oldName the name before
   */
  record ChannelRenamed(ChannelInfo channel, String oldName) implements SpaceChange {}

  /**
   * A channel disappeared.
   *
   * @param channel the channel as it was
   */
  record ChannelDeleted(ChannelInfo channel) implements SpaceChange {}

  /**
   * A peer became a member.
   *
   * @param member the member
   * @param role its role
   */
  record MemberAdded(PeerId member, Role role) implements SpaceChange {}

  /**
   * A member left or was removed.
   *
   * @param member the former member
   */
  record MemberGone(PeerId member) implements SpaceChange {}

  /**
   * A member's role changed.
   *
   * @param member the member
   * @param from the role before
   * @param to the role now
   */
  record RoleChanged(PeerId member, Role from, Role to) implements SpaceChange {}

  /**
   * A member's contact details changed or appeared.
   *
   * @param contact the new contact
   */
  record ContactChanged(Contact contact) implements SpaceChange {}

  /**
   * Lists what differs from {@code before} to {@code after}: space name, then channels (in the
   * order of {@code after}, deleted ones last), then members and contacts (by PeerId).
   *
   * @param before the earlier view
   * @param after the later view of the same space
   * @return the changes, empty if the views show the same metadata
   * @throws IllegalArgumentException if the views are of different spaces
   */
  static List<SpaceChange> between(SpaceView before, SpaceView after) {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    if (!before.spaceId().equals(after.spaceId())) {
      throw new IllegalArgumentException("views of different spaces");
    }
    List<SpaceChange> out = new ArrayList<>();
    Optional<String> name = after.name();
    if (name.isPresent() && !name.equals(before.name())) {
      out.add(new SpaceRenamed(name.get()));
    }
    for (ChannelInfo c : after.channels().values()) {
      ChannelInfo old = before.channels().get(c.channelId());
      if (old == null) {
        out.add(new ChannelCreated(c));
      } else if (!old.name().equals(c.name())) {
        out.add(new ChannelRenamed(c, old.name()));
      }
    }
    for (ChannelInfo c : before.channels().values()) {
      if (!after.channels().containsKey(c.channelId())) {
        out.add(new ChannelDeleted(c));
      }
    }
    for (Map.Entry<PeerId, Role> m : after.members().entrySet()) {
      Role old = before.members().get(m.getKey());
      if (old == null) {
        out.add(new MemberAdded(m.getKey(), m.getValue()));
      } else if (old != m.getValue()) {
        out.add(new RoleChanged(m.getKey(), old, m.getValue()));
      }
    }
    for (PeerId p : before.members().keySet()) {
      if (!after.members().containsKey(p)) {
        out.add(new MemberGone(p));
      }
    }
    for (Contact c : after.contacts().values()) {
      if (!c.equals(before.contacts().get(c.peer()))) {
        out.add(new ContactChanged(c));
      }
    }
    return out;
  }
}
