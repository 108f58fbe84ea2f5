package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SyncEnvelope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a member's sync marks of this node's own messages into delivery states: a member whose
 * summary says it holds every message of this node in a group up to a sequence holds them,
 * whoever brought them (a mailbox, another member through sync), so those still pending for it
 * become DELIVERED to it ({@link Outbox#deliveredElsewhere}).
 *
 * <p>Per summary it looks at the sequences above the last mark seen from that member in that
 * group, at most the newest {@link #WINDOW}; older ones are left to the outbox's own copies. The
 * marks come in a summary that names its asker without a signature: a member of the group could
 * forge one and stop this node's retries to another member, which still gets the messages through
 * sync from any member that holds them. Called in steps of the space; the map is concurrent.
 */
final class DeliveryConfirmations {

  /** Own messages below a member's new mark looked at per summary, at most (the newest). */
  static final int WINDOW = 2_000;

  private final NodeContext ctx;
  private final Outbox outbox;
  /** Up to which own sequence a member's marks were turned into delivery states, per group. */
  private final Map<Key, Long> confirmed = new ConcurrentHashMap<>();

  private record Key(Id group, PeerId member) {}

  DeliveryConfirmations(NodeContext ctx, Outbox outbox) {
    this.ctx = ctx;
    this.outbox = outbox;
  }

  /**
   * A member holds every message of this node in a group up to {@code mark}; in a step.
   *
   * @param s the step
   * @param group the group (a channel)
   * @param member the member whose summary it is
   * @param mark its high-water mark for this node
   * @throws SpacePandaException if storage fails
   */
  void onMark(Step s, Id group, PeerId member, long mark) throws SpacePandaException {
    Key key = new Key(group, member);
    long start = Math.max(0, Math.max(confirmed.getOrDefault(key, -1L) + 1, mark - WINDOW + 1));
    if (start > mark) {
      return;
    }
    Id self = NodeContext.peerKey(ctx.self);
    int limit = (int) Math.min(WINDOW, mark - start + 1);
    List<SyncEnvelope> kept = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(group, self, start, limit));
    for (SyncEnvelope k : kept) {
      if (k.sequence() <= mark && k.mlsMessageLength() > 0) {
        outbox.deliveredElsewhere(s, Id.of(NodeContext.sha256(k.mlsMessage())), member);
      }
    }
    confirmed.put(key, mark);
  }
}
