package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable picture of one space after its latest committed step, for the API's getters: they
 * read it from any thread without waiting for the space's lane.
 *
 * @param spaceId the space id
 * @param name the space's name
 * @param owner the current owner, or the last one once it left
 * @param members the control group's members
 * @param roles the roles by the space metadata
 * @param channels the channels this node is a member of, ordered by name then id
 * @param present false once this node is no longer a member of the space
 * @param governance who can still manage the space
 */
record SpaceSnapshot(Id spaceId, String name, PeerId owner, Set<PeerId> members,
    Map<PeerId, Role> roles, Map<Id, ChannelSnapshot> channels, boolean present,
    io.spacepanda.SpaceGovernance governance) {

  /**
   * One channel in the picture.
   *
   * @param channelId the channel id
   * @param name its name
   * @param owner its owner
   * @param members the MLS group's members in its current epoch
   * @param epoch the epoch the members are of
   */
  record ChannelSnapshot(Id channelId, String name, PeerId owner, Set<PeerId> members,
      long epoch) {

    static ChannelSnapshot of(GroupChannel gc, ChannelSnapshot previous) {
      long epoch = gc.group().epoch();
      if (previous != null && previous.epoch == epoch && previous.name.equals(gc.name())) {
        return previous;
      }
      return new ChannelSnapshot(gc.id(), gc.name(), gc.owner(), Set.copyOf(gc.members()), epoch);
    }
  }

  static Map<Id, ChannelSnapshot> channelsOf(List<GroupChannel> groups,
      Map<Id, ChannelSnapshot> previous) {
    Map<Id, ChannelSnapshot> out = new LinkedHashMap<>();
    groups.stream().sorted(Comparator.comparing(GroupChannel::name).thenComparing(GroupChannel::id))
        .forEach(gc -> out.put(gc.id(), ChannelSnapshot.of(gc, previous.get(gc.id()))));
    return out;
  }
}
