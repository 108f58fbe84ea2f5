package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Finds a lost channel Welcome within one sync round trip: a channel's committer sends its
 * summary of the channel, at the next periodic round, to every connected member of the channel it
 * has not heard a summary or request of that channel from (since this start or their last
 * reconnect), whatever the fanout; a member that has the channel answers (the asker's first
 * exchange is never quiet), one that lacks it drops the summary as for an unknown group. A member
 * still unheard one round later gets the kept Welcome again ({@link ChannelJoins#resendWelcome}),
 * and is probed again. Called in steps of the space; the map is concurrent.
 */
final class WelcomeProbes {

  private final NodeContext ctx;
  /** The round in which an unheard member was last probed, per (channel, member). */
  private final Map<Key, Long> probed = new ConcurrentHashMap<>();

  private record Key(Id group, PeerId member) {}

  WelcomeProbes(NodeContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Adds the members to probe to {@code to}, and re-sends the Welcome of those probed before
   * without an answer; nothing unless this node may commit the channel.
   *
   * @param a the space
   * @param s the step
   * @param gc a channel (not the control group)
   * @param connected the connected peers
   * @param round the sync round
   * @param heard whether a summary or request of the channel came from a member
   * @param to the members the summary goes to this round; added to
   * @throws SpacePandaException if storage fails
   */
  void probe(SpaceActor a, Step s, GroupChannel gc, Set<PeerId> connected, long round,
      Predicate<PeerId> heard, List<PeerId> to) throws SpacePandaException {
    if (gc.isControl() || !ctx.policy.mayCommit(a.meta, gc, ctx.self)) {
      return;
    }
    for (PeerId p : a.others(gc)) {
      if (!connected.contains(p) || a.contact(p) == null) {
        continue;
      }
      Key k = new Key(gc.id(), p);
      if (heard.test(p)) {
        probed.remove(k);
        continue;
      }
      Long at = probed.get(k);
      if (at != null && round <= at) {
        continue;
      }
      probed.put(k, round);
      if (!to.contains(p)) {
        to.add(p);
      }
      if (at != null) {
        a.joins.resendWelcome(s, gc, p, a.contact(p).inboxKey());
      }
    }
  }
}
