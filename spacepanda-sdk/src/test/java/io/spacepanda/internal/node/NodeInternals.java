package io.spacepanda.internal.node;

import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import java.util.HexFormat;
import java.util.List;

/** Reaches into a running node for attack tests in other packages. */
public final class NodeInternals {

  private NodeInternals() {}

  /**
   * Returns a node's channel group (read it only while the node is idle).
   *
   * @param node the node
   * @param channelId the channel id in hex
   * @return the channel
   */
  public static GroupChannel channel(Node node, String channelId) {
    Id id = Id.of(HexFormat.of().parseHex(channelId));
    for (SpaceActor a : node.running().ctx().spaces.values()) {
      GroupChannel gc = a.channels.get(id);
      if (gc != null) {
        return gc;
      }
    }
    throw new IllegalArgumentException("no channel " + channelId);
  }

  /**
   * Returns the work a connection peer's dropped envelopes cost a node, in units, now.
   *
   * @param node the node
   * @param peer the connection peer
   * @return its debt
   */
  public static long wastedWork(Node node, io.spacepanda.PeerId peer) {
    return node.running().router().work().debt(peer);
  }

  /**
   * Returns a node's group by id: a channel, or a space's control group (whose id is the space's).
   *
   * @param node the node
   * @param groupId the group id in hex
   * @return the group, or null if the node holds none by that id
   */
  public static GroupChannel group(Node node, String groupId) {
    Id id = Id.of(HexFormat.of().parseHex(groupId));
    for (SpaceActor a : node.running().ctx().spaces.values()) {
      if (a.present && a.control.id().equals(id)) {
        return a.control;
      }
      GroupChannel gc = a.channels.get(id);
      if (gc != null) {
        return gc;
      }
    }
    return null;
  }

  /**
   * Returns who committed the epochs a node recorded for a group (its fork entries).
   *
   * @param node the node
   * @param groupId the group id in hex
   * @return the committers, oldest epoch first; empty if none recorded
   */
  public static java.util.List<io.spacepanda.PeerId> committers(Node node, String groupId) {
    Id id = Id.of(HexFormat.of().parseHex(groupId));
    java.util.List<io.spacepanda.PeerId> out = new java.util.ArrayList<>();
    for (SpaceActor a : node.running().ctx().spaces.values()) {
      for (EpochHistory.Entry e : a.forks.recorded(id)) {
        if (e.hasCommit()) {
          out.add(io.spacepanda.PeerId.fromBytes(e.committer()));
        }
      }
    }
    return out;
  }

  /**
   * Looks a member up under its rendezvous contact keys, as a node does after failed reconnects.
   *
   * @param node the node
   * @param peer the member
   * @return completes with whether addresses were found
   */
  public static java.util.concurrent.CompletableFuture<Boolean> rendezvousLookup(Node node,
      io.spacepanda.PeerId peer) {
    return node.running().rendezvous().lookup(peer);
  }

  /**
   * Tells whether a node's copy of a space's metadata holds an invite (asked on the space's lane).
   *
   * @param node the node
   * @param spaceId the space id in hex
   * @param inviteId the invite id, the SHA-256 of its secret
   * @return true once the node knows the invite
   */
  public static boolean knowsInvite(Node node, String spaceId, byte[] inviteId) {
    SpaceActor a = node.running().ctx().spaces.get(Id.of(HexFormat.of().parseHex(spaceId)));
    return a != null && a.step(s -> a.meta.invite(inviteId).isPresent()).join();
  }

  /**
   * Returns the members that may send a path refresh of a group in its current epoch, in order.
   *
   * @param node the node
   * @param groupId the group id in hex
   * @return the refreshers ({@code PathRefresh.refreshers})
   */
  public static List<io.spacepanda.PeerId> refreshers(Node node, String groupId) {
    GroupChannel gc = group(node, groupId);
    return gc == null ? List.of() : PathRefresh.refreshers(gc);
  }

  /**
   * Returns a node's sync traffic so far: summaries, requests and responses it sent, and
   * responses it received.
   *
   * @param node the node
   * @return the four counts, in that order
   */
  public static long[] syncCounts(Node node) {
    ChannelSync sync = node.running().sync();
    if (sync == null) {
      return new long[4];
    }
    ChannelSync.Counts c = sync.counts;
    return new long[] {c.summaries.get(), c.requests.get(), c.responses.get(), c.received.get()};
  }

  /**
   * Returns the joiners whose admitted join requests a node keeps for a re-admission after a
   * fork ({@code InviteDesk}).
   *
   * @param node the node
   * @param spaceId the space id in hex
   * @return completes with the joiners (empty if the node is not in the space)
   */
  public static java.util.concurrent.CompletableFuture<java.util.Set<io.spacepanda.PeerId>>
      admittedJoiners(Node node, String spaceId) {
    SpaceActor a = node.running().ctx().spaces.get(Id.of(HexFormat.of().parseHex(spaceId)));
    if (a == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(java.util.Set.of());
    }
    return a.step(s -> a.invites.readmits.admittedJoiners());
  }

  /**
   * Makes a node commit a group (the space's control group or a channel) with a fresh path, as
   * {@code Channel.rotateKeys()} does.
   *
   * @param node the node
   * @param groupId the group id in hex
   * @return completes when committed (or proposed, if the node does not commit the group)
   */
  public static java.util.concurrent.CompletableFuture<Void> rotateKeys(Node node,
      String groupId) {
    Id id = Id.of(HexFormat.of().parseHex(groupId));
    for (SpaceActor a : node.running().ctx().spaces.values()) {
      if (a.present && (a.control.id().equals(id) || a.channels.containsKey(id))) {
        return a.rotateKeys(id);
      }
    }
    throw new IllegalArgumentException("no group " + groupId);
  }

  /**
   * Says whether one committer ranks before another in a group's hashed committer order of an
   * epoch, the order the fork rule uses after the creator ({@code EpochHistory}).
   *
   * @param groupId the group id in hex
   * @param epoch the epoch
   * @param first the one expected first
   * @param second the other
   * @return true if {@code first} ranks before {@code second}
   */
  public static boolean ranksBefore(String groupId, long epoch, io.spacepanda.PeerId first,
      io.spacepanda.PeerId second) {
    byte[] g = HexFormat.of().parseHex(groupId);
    return java.util.Arrays.compareUnsigned(CommitPolicy.rank(epoch, g, first),
        CommitPolicy.rank(epoch, g, second)) < 0;
  }
}
