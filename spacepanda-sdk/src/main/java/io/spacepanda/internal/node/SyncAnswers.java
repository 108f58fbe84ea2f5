package io.spacepanda.internal.node;

import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SyncEnvelope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The responder's side of sync ({@link ChannelSync}): what an asker lacks, and the items of the
 * response that serves it. Stateless; called in steps of the space.
 */
final class SyncAnswers {

  private SyncAnswers() {}

  /**
   * Collects what the asker lacks: the commits from its epoch on, the messages above its marks
   * and the proposals of the current epoch it does not list.
   *
   * @return true if the asker lists proposals this node lacks
   */
  static boolean candidates(NodeContext ctx, GroupChannel gc, ChannelSync.Marks m, Map<Id, Long> mine, Map<Id, Long> theirs,
      Id askerKey, List<SyncEnvelope> candidates, boolean[] more) throws SpacePandaException {
    long myEpoch = gc.group().epoch();
    if (myEpoch > m.epoch()) {
      List<SyncEnvelope> commits = ctx.storage.inTransaction(
          t -> t.syncEnvelopes(gc.id(), ChannelSync.COMMITS, m.epoch(), NodeWire.MAX_SYNC_ITEMS));
      if (!commits.isEmpty() && commits.get(0).sequence() == m.epoch()) {
        candidates.addAll(commits);
        more[0] |= myEpoch > m.epoch() + commits.size();
      }
    }
    for (Map.Entry<Id, Long> e : mine.entrySet()) {
      long from = theirs.getOrDefault(e.getKey(), -1L) + 1;
      if (ChannelSync.pseudoSender(e.getKey()) || e.getKey().equals(askerKey) || e.getValue() < from) {
        continue;
      }
      List<SyncEnvelope> kept = ctx.storage.inTransaction(
          t -> t.syncEnvelopes(gc.id(), e.getKey(), from, NodeWire.MAX_SYNC_ITEMS));
      candidates.addAll(kept);
      more[0] |= e.getValue() >= from + kept.size();
    }
    return SyncProposals.serve(ctx, gc, m.epoch(), m.extensions(), candidates);
  }

  /** The items of a response: oldest epoch first, within the count and byte bounds. */
  static List<NodeWire.SyncItem> items(List<SyncEnvelope> candidates, boolean[] more) {
    // Oldest epoch first; an epoch's messages before the commit that ends it.
    candidates.sort(Comparator.comparingLong(SyncEnvelope::epoch)
        .thenComparingInt(x -> x.sender().equals(ChannelSync.COMMITS) ? 1 : 0));
    List<NodeWire.SyncItem> items = new ArrayList<>();
    int bytes = 0;
    for (SyncEnvelope k : candidates) {
      int len = k.mlsMessageLength();
      if (len == 0 || len > NodeWire.MAX_SYNC_MESSAGE) {
        continue;
      }
      if (items.size() == NodeWire.MAX_SYNC_ITEMS
          || (!items.isEmpty() && bytes + len > ChannelSync.MAX_RESPONSE_BYTES)) {
        more[0] = true;
        break;
      }
      bytes += len;
      items.add(new NodeWire.SyncItem(k.sender().toBytes(), k.sequence(), k.epoch(),
          k.mlsMessage()));
    }
    if (items.isEmpty()) {
      // Nothing servable (only tombstones, or commits this node does not hold): nothing more.
      more[0] = false;
    }
    return items;
  }

  /** @return true if this node holds messages of a sender (not the asker) above the asker's mark */
  static boolean ahead(Map<Id, Long> mine, Map<Id, Long> theirs, Id askerKey) {
    for (Map.Entry<Id, Long> e : mine.entrySet()) {
      if (!ChannelSync.pseudoSender(e.getKey()) && !e.getKey().equals(askerKey)
          && e.getValue() > theirs.getOrDefault(e.getKey(), -1L)) {
        return true;
      }
    }
    return false;
  }

}
