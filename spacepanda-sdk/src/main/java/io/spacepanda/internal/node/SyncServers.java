package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Id;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which one member serves this node what it lacks in a group ({@link ChannelSync}): the asker's
 * side of "one server per lagging member".
 *
 * <p>Why. Before, every member that saw in a summary that another lacked messages sent them, and
 * the asker asked every responder again for the rest: a member lagging behind a group of n got
 * the same messages up to n times, and after a partition healed every member did, so the sealed
 * envelopes of sync grew with the square of the group (43% of CPU in direct seal and open in a
 * profile of a 17-member fork seed).
 *
 * <p>Rule. A summary or request carries {@link #EXT_SERVE}: the member the asker asks to serve
 * it, or nobody. A responder sends messages only when it is named (or when the extension is
 * absent, as from an older node); otherwise, if it holds what the asker lacks, it only answers
 * with its own marks (a {@link NodeWire.SyncRequest} naming nobody, or its own server). Summaries
 * name nobody: an asker learns it is behind from the marks it receives (a member's summary, or its
 * answer to the asker's summary), records the members seen to hold more (<em>holders</em>), and,
 * when no fetch is under way in the group, asks one of them: the holder with the lowest hash of
 * (asker, group, round, holder), so that the choice is deterministic, spreads load over holders
 * and changes from round to round. The chosen server answers every request naming it, with an
 * empty response when it has nothing more, and the asker asks it again while it says it has more.
 *
 * <p>When the server says it has nothing more after serving some, the other holders are compared
 * again with what this node now holds (by the marks they sent, kept for at most {@link #MAX_HOLDERS} holders), and
 * the next one still ahead is asked.
 *
 * <p>Fallback. A server that has not answered for {@link #TIMEOUT_ROUNDS} full rounds (offline,
 * or hostile) is passed over for this fetch and the next holder is asked; holders not seen holding
 * more for {@link #HOLDER_ROUNDS} rounds are forgotten, and when every holder was passed over the
 * list starts afresh. A server that answers that it has nothing more ends the fetch; if the asker
 * still lacks something, the next exchange of marks shows it and starts a new fetch, chosen with
 * that round's hash (so a hostile server that answers "nothing" is not asked every time). Nothing
 * is lost: a message stays with every member that holds it, and each round can reach another.
 *
 * <p>Bounds: one state per group this node is behind in; holders at most the group's members.
 * Threading: each group's state is read and written only in steps of its space's lane; the map of
 * groups is concurrent.
 */
final class SyncServers {

  /**
   * Sync extension: the PeerId bytes of the one member the asker asks to send what it lacks; an
   * empty body asks nobody. Absent: every receiver may send (older nodes).
   */
  static final int EXT_SERVE = 13;

  /** A server that has not answered for this many full rounds is passed over. */
  static final int TIMEOUT_ROUNDS = 1;

  /** A holder not seen holding more for this many rounds is forgotten. */
  static final int HOLDER_ROUNDS = 3;

  /** Holders remembered per group, the most recently seen; others are forgotten. */
  static final int MAX_HOLDERS = 8;

  /** Groups with a state at most; beyond, all are forgotten (the next marks tell again). */
  static final int MAX_GROUPS = 4096;

  private static final NodeWire.SyncExtension NOBODY =
      new NodeWire.SyncExtension(EXT_SERVE, new byte[0]);

  /** The fetch under way in a group: whom it asked and in which round it last heard from it. */
  private record Fetch(PeerId server, long round) {}

  /**
   * What a holder said it holds.
   *
   * @param round the sync round of this node it was seen in
   * @param epoch its epoch of the group
   * @param marks its high-water marks
   */
  record Held(long round, long epoch, Map<Id, Long> marks) {}

  /** What this node knows of a group it is behind in. */
  private static final class State {
    Fetch fetch;
    /** Members seen holding more than this node, with what they said they hold. */
    final Map<PeerId, Held> holders = new HashMap<>();
    /** Servers passed over in this fetch. */
    final Set<PeerId> failed = new HashSet<>();
  }

  private final PeerId self;
  private final Map<Id, State> states = new ConcurrentHashMap<>();

  SyncServers(PeerId self) {
    this.self = self;
  }

  /** @return the extension naming a server, or nobody for null */
  static NodeWire.SyncExtension naming(PeerId server) {
    return server == null ? NOBODY : new NodeWire.SyncExtension(EXT_SERVE, server.bytes());
  }

  /** @return extensions with the {@link #EXT_SERVE} naming a server (or nobody) added */
  static List<NodeWire.SyncExtension> with(List<NodeWire.SyncExtension> extensions,
      PeerId server) {
    NodeWire.SyncExtension[] out = extensions.toArray(new NodeWire.SyncExtension[
        extensions.size() + 1]);
    out[extensions.size()] = naming(server);
    return List.of(out);
  }

  /**
   * Whether a summary or request asks this node to serve.
   *
   * @param extensions its extensions
   * @param me this node
   * @return 0 if it names another member or nobody, 1 if it names this node, 2 if it names nobody
   *     because it has no {@link #EXT_SERVE} (an older node: serve, as before)
   */
  static int asks(List<NodeWire.SyncExtension> extensions, PeerId me) {
    for (NodeWire.SyncExtension x : extensions) {
      if (x.type() == EXT_SERVE) {
        return Arrays.equals(x.body(), me.bytes()) ? 1 : 0;
      }
    }
    return 2;
  }

  /** @return the number of groups with a state; for tests of the bound */
  int size() {
    return states.size();
  }

  /**
   * A member's marks show that it holds more than this node in a group.
   *
   * @param group the group
   * @param holder the member
   * @param round this node's sync round
   * @param epoch the member's epoch
   * @param marks the member's high-water marks
   * @return the member to ask now, or null while a fetch is under way
   */
  PeerId holds(Id group, PeerId holder, long round, long epoch, Map<Id, Long> marks) {
    if (states.size() >= MAX_GROUPS && !states.containsKey(group)) {
      states.clear();
    }
    State st = states.computeIfAbsent(group, g -> new State());
    st.holders.put(holder, new Held(round, epoch, marks));
    if (st.holders.size() > MAX_HOLDERS) {
      PeerId oldest = null;
      for (Map.Entry<PeerId, Held> e : st.holders.entrySet()) {
        if (!e.getKey().equals(holder) && (oldest == null
            || e.getValue().round() < st.holders.get(oldest).round())) {
          oldest = e.getKey();
        }
      }
      st.holders.remove(oldest);
    }
    if (st.fetch != null) {
      if (round - st.fetch.round() <= TIMEOUT_ROUNDS) {
        return null;
      }
      st.failed.add(st.fetch.server());
    }
    return start(group, st, round);
  }

  /** A member's marks show that it holds nothing more than this node in a group. */
  void level(Id group, PeerId member) {
    State st = states.get(group);
    if (st != null) {
      st.holders.remove(member);
      if (st.fetch == null && st.holders.isEmpty()) {
        states.remove(group);
      }
    }
  }

  /**
   * A response from a member arrived and was processed.
   *
   * @param group the group
   * @param responder who sent it
   * @param more whether it said it holds more (then it is asked again)
   * @param progress whether it held any message
   * @param round this node's sync round
   * @param ahead whether a holder still holds more than this node now, by what it said
   * @return the next holder to ask when the server had nothing more, or null
   */
  PeerId answered(Id group, PeerId responder, boolean more, boolean progress, long round,
      java.util.function.Predicate<Held> ahead) {
    State st = states.get(group);
    if (st == null || st.fetch == null || !st.fetch.server().equals(responder)) {
      return null;
    }
    if (more) {
      st.fetch = new Fetch(responder, round);
      return null;
    }
    if (!progress) {
      // Nothing it could serve (the rest is likely past every holder's reach, e.g. tombstones):
      // the next exchange of marks may start again, at most once per exchange.
      states.remove(group);
      return null;
    }
    // This server is done: ask another holder only if it still holds more than this node.
    st.holders.remove(responder);
    st.holders.values().removeIf(h -> !ahead.test(h));
    st.failed.clear();
    st.fetch = null;
    if (st.holders.isEmpty()) {
      states.remove(group);
      return null;
    }
    return start(group, st, round);
  }

  /**
   * The periodic check of a group: a server silent for more than {@link #TIMEOUT_ROUNDS} full
   * rounds is passed over and the next holder chosen.
   *
   * @param group the group
   * @param round this node's sync round
   * @return the member to ask now, or null
   */
  PeerId tick(Id group, long round) {
    State st = states.get(group);
    if (st == null) {
      return null;
    }
    st.holders.values().removeIf(h -> round - h.round() > HOLDER_ROUNDS);
    if (st.fetch != null && round - st.fetch.round() <= TIMEOUT_ROUNDS) {
      return null;
    }
    if (st.fetch != null) {
      st.failed.add(st.fetch.server());
      st.fetch = null;
    }
    if (st.holders.isEmpty()) {
      states.remove(group);
      return null;
    }
    return start(group, st, round);
  }

  /** Forgets a group (left, or gone). */
  void forget(Id group) {
    states.remove(group);
  }

  private PeerId start(Id group, State st, long round) {
    PeerId best = choose(group, st, round);
    if (best == null && !st.failed.isEmpty()) {
      // Every holder was passed over: start afresh (one may be back).
      st.failed.clear();
      best = choose(group, st, round);
    }
    st.fetch = best == null ? null : new Fetch(best, round);
    return best;
  }

  private PeerId choose(Id group, State st, long round) {
    PeerId best = null;
    long bestRank = 0;
    for (PeerId p : st.holders.keySet()) {
      if (st.failed.contains(p)) {
        continue;
      }
      long r = rank(self, group, round, p);
      if (best == null || Long.compareUnsigned(r, bestRank) < 0) {
        best = p;
        bestRank = r;
      }
    }
    return best;
  }

  /** @return the rank of a holder as server of an asker in a group and round: lowest first */
  static long rank(PeerId asker, Id group, long round, PeerId holder) {
    byte[] a = asker.bytes();
    byte[] g = group.toBytes();
    byte[] h = holder.bytes();
    ByteBuffer b = ByteBuffer.allocate(16 + a.length + g.length + h.length);
    b.putInt(a.length).put(a).putInt(g.length).put(g).putLong(round).put(h);
    return ByteBuffer.wrap(NodeContext.sha256(b.array())).getLong();
  }
}
