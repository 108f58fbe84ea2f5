package io.spacepanda.internal.node;

import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import java.util.HexFormat;

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
}
