package io.spacepanda.internal.node;

import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.spi.Id;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a node says it holds in a sync summary ({@link ChannelSync}): per group its epoch, the
 * high-water mark of each sender, and the typed extensions (the control group's channel list, the
 * recent epoch entries that reveal forks, the tags of the current epoch's proposals), and the digest that keeps unchanged summaries quiet.
 */
final class SyncSummaries {

  private SyncSummaries() {}

  /**
   * This node's summary of one group: its epoch, high-water marks and extensions; it asks nobody
   * to serve ({@link SyncServers}): a receiver that holds more answers with its marks.
   */
  static NodeWire.SyncSummary summary(NodeContext ctx, SpaceActor a, GroupChannel gc)
      throws SpacePandaException {
    return new NodeWire.SyncSummary(a.spaceId.toBytes(), gc.id().toBytes(), ctx.self.bytes(),
        gc.group().epoch(), marks(ctx, gc), SyncServers.with(extensions(a, gc), null));
  }

  /** A digest of what a summary says is held (epoch, marks, epoch entries), not who asks. */
  static long digest(long epoch, List<NodeWire.SyncMark> marks,
      List<NodeWire.SyncExtension> extensions) {
    io.spacepanda.internal.mls.codec.TlsWriter w =
        new io.spacepanda.internal.mls.codec.TlsWriter().u64(epoch);
    for (NodeWire.SyncMark m : marks) {
      w.opaque(m.sender()).u64(m.highWater());
    }
    for (NodeWire.SyncExtension x : extensions) {
      if (x.type() == NodeWire.EXT_EPOCHS) {
        w.u16(x.type()).opaque(newestEpochEntry(x.body()));
      } else if (x.type() == SyncProposals.EXT_PROPOSALS) {
        w.u16(x.type()).opaque(x.body());
      }
    }
    return java.nio.ByteBuffer.wrap(NodeContext.sha256(w.toByteArray())).getLong();
  }

  /**
   * The part of an epoch-entries extension two members in step agree on: the newest entry (its
   * epoch and authenticator). The older entries differ between members that joined at different
   * epochs; counting them in the digest kept every idle pair exchanging summaries every round
   * (wave 4: 300 KB per idle group, member and hour instead of about 4 KB). A fork still changes
   * the newest entry, so members on two branches keep talking until it is resolved.
   */
  private static byte[] newestEpochEntry(byte[] body) {
    try {
      EpochHistory.Entry newest = null;
      for (EpochHistory.Entry e : EpochHistory.decode(body)) {
        if (newest == null || e.epoch() > newest.epoch()) {
          newest = e;
        }
      }
      return newest == null ? new byte[0]
          : new io.spacepanda.internal.mls.codec.TlsWriter().u64(newest.epoch())
              .opaque(newest.authenticator()).toByteArray();
    } catch (io.spacepanda.internal.mls.MlsDecodeException e) {
      return body;
    }
  }

  /** The extensions of a group's summary: its epoch entries, and the control group's channels. */
  static List<NodeWire.SyncExtension> extensions(SpaceActor a, GroupChannel gc)
      throws SpacePandaException {
    NodeWire.SyncExtension epochs = a.forks.extension(gc);
    NodeWire.SyncExtension proposals = SyncProposals.extension(a.ctx, gc);
    if (!gc.isControl()) {
      return proposals == null ? List.of(epochs) : List.of(epochs, proposals);
    }
    List<byte[]> ids = new ArrayList<>();
    for (Id id : a.channels.keySet()) {
      if (ids.size() < NodeWire.MAX_LIST) {
        ids.add(id.toBytes());
      }
    }
    NodeWire.SyncExtension channels = new NodeWire.SyncExtension(NodeWire.EXT_MEMBER_CHANNELS,
        NodeWire.encodeIds(ids));
    return proposals == null ? List.of(channels, epochs) : List.of(channels, epochs, proposals);
  }

  /** This node's high-water mark of each sender of a group, pseudo-senders left out. */
  static List<NodeWire.SyncMark> marks(NodeContext ctx, GroupChannel gc) throws SpacePandaException {
    Map<Id, Long> mine = ctx.storage.inTransaction(t -> t.highWaterMarks(gc.id()));
    List<NodeWire.SyncMark> out = new ArrayList<>(mine.size());
    for (Map.Entry<Id, Long> e : mine.entrySet()) {
      if (out.size() == NodeWire.MAX_SYNC_MARKS) {
        break;
      }
      if (!ChannelSync.pseudoSender(e.getKey())) {
        out.add(new NodeWire.SyncMark(e.getKey().toBytes(), e.getValue()));
      }
    }
    return out;
  }
}
