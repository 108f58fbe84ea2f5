package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SyncEnvelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sync of pending proposals ({@link ChannelSync}): a proposal is valid only in the epoch it was
 * made in and waits there for a committer's commit, so a proposal lost on its way to the
 * committer (and not carried by a mailbox) would otherwise wait for its proposer to propose again
 * after an epoch change that may never come.
 *
 * <p>What is kept. Every proposal a member makes ({@link SpaceCommits#propose}) or queues from
 * another member (in the step that queues it) is kept as the MLS message it travelled as under the
 * pseudo-sender {@link #PROPOSALS}, at sequence {@code epoch << 16 | tag}, where the tag is the
 * first 16 bits of the message's SHA-256: addressable by epoch without a read in the step, and
 * pruned like any sender's messages ({@link ChannelSync#KEEP_PER_SENDER}). Two proposals of one
 * epoch with the same tag (one chance in 65,536 per pair) keep only the later one; the other is
 * then not synced (its proposer proposes it again after the next epoch change, as before).
 *
 * <p>Exchange. A summary or request of a group whose member holds proposals of its current epoch
 * carries their tags ({@link #EXT_PROPOSALS}, counted in the summary digest, so that a new proposal
 * makes an unchanged summary go out again). A responder at the same epoch answers with the
 * proposals it holds whose tags the asker lacks, and asks back when the asker lists tags it lacks
 * itself. The asker processes a fetched proposal as a received one if it is still at its epoch
 * (queued, then committed by the group's committer as usual); one of another epoch is ignored.
 */
final class SyncProposals {

  /** The pseudo-sender under which proposals are kept. */
  static final Id PROPOSALS = Id.of(new byte[] {(byte) 0xFF, 'P'});

  /**
   * Sync extension: the 16-bit tags of the proposals of the asker's current epoch it holds (a
   * vector of uint16, at most {@link #MAX_TAGS}); only when it holds some.
   */
  static final int EXT_PROPOSALS = 12;

  /** Proposals of one epoch listed or served at most. */
  static final int MAX_TAGS = 256;

  private SyncProposals() {}

  /** @return the 16-bit tag of a proposal: the first two bytes of its SHA-256 */
  static int tag(byte[] mls) {
    byte[] h = NodeContext.sha256(mls);
    return ((h[0] & 0xFF) << 8) | (h[1] & 0xFF);
  }

  /**
   * Keeps a proposal of an epoch in the step's transaction.
   *
   * @param s the step
   * @param gc its group
   * @param epoch the epoch it was made in
   * @param mls the MLS message bytes
   */
  static void keep(Step s, GroupChannel gc, long epoch, byte[] mls) {
    SyncEnvelope kept = new SyncEnvelope(gc.id(), PROPOSALS, (epoch << 16) | tag(mls), epoch,
        mls);
    s.write(t -> t.putSyncEnvelope(kept));
  }

  /** @return the proposals of an epoch this node holds, at most {@link #MAX_TAGS} */
  static List<SyncEnvelope> held(NodeContext ctx, GroupChannel gc, long epoch)
      throws SpacePandaException {
    List<SyncEnvelope> all = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(gc.id(), PROPOSALS, epoch << 16, MAX_TAGS));
    List<SyncEnvelope> out = new ArrayList<>(all.size());
    for (SyncEnvelope e : all) {
      if ((e.sequence() >>> 16) == epoch && e.mlsMessageLength() > 0) {
        out.add(e);
      }
    }
    return out;
  }

  /** @return the extension listing the tags of the group's current proposals, or null if none */
  static NodeWire.SyncExtension extension(NodeContext ctx, GroupChannel gc)
      throws SpacePandaException {
    List<SyncEnvelope> held = held(ctx, gc, gc.group().epoch());
    if (held.isEmpty()) {
      return null;
    }
    List<Integer> tags = new ArrayList<>(held.size());
    for (SyncEnvelope e : held) {
      tags.add((int) (e.sequence() & 0xFFFF));
    }
    return new NodeWire.SyncExtension(EXT_PROPOSALS, encodeTags(tags));
  }

  /**
   * Encodes the body of an {@link #EXT_PROPOSALS} extension: {@code uint16 tags<V>} (TLS
   * presentation language, RFC 8446 §3, as the rest of {@link NodeWire}).
   *
   * @param tags 16-bit tags, at most {@link #MAX_TAGS}
   * @return the body
   */
  static byte[] encodeTags(List<Integer> tags) {
    return new TlsWriter().vector(tags, TlsWriter::u16).toByteArray();
  }

  /**
   * Decodes the body of an {@link #EXT_PROPOSALS} extension.
   *
   * @param body the body, at most {@link NodeWire#MAX_SYNC_EXTENSION} bytes
   * @return the tags, at most {@link #MAX_TAGS}
   * @throws MlsDecodeException if malformed, with trailing bytes, or listing more than {@link
   *     #MAX_TAGS}
   */
  static List<Integer> decodeTags(byte[] body) throws MlsDecodeException {
    if (body.length > 2 * MAX_TAGS + 4) {
      throw new MlsDecodeException("proposal tags too long: " + body.length + " bytes");
    }
    List<Integer> tags = TlsReader.decodeExactly(body, r -> r.vector(TlsReader::u16));
    if (tags.size() > MAX_TAGS) {
      throw new MlsDecodeException("more than " + MAX_TAGS + " proposal tags");
    }
    return tags;
  }

  /**
   * Returns the tags a summary or request lists; empty if it lists none or the list is malformed
   * (then reported as a drop).
   */
  static Set<Integer> tags(NodeContext ctx, List<NodeWire.SyncExtension> extensions) {
    Set<Integer> out = new HashSet<>();
    for (NodeWire.SyncExtension x : extensions) {
      if (x.type() != EXT_PROPOSALS) {
        continue;
      }
      try {
        out.addAll(decodeTags(x.body()));
      } catch (MlsDecodeException e) {
        ctx.drop(DropReason.MALFORMED, "sync proposal tags");
        return Set.of();
      }
    }
    return out;
  }

  /**
   * Adds to a response's candidates the proposals of the responder's epoch the asker lacks.
   *
   * @return true if the asker lists proposals this node lacks (it should ask back)
   */
  static boolean serve(NodeContext ctx, GroupChannel gc, long askerEpoch,
      List<NodeWire.SyncExtension> extensions, List<SyncEnvelope> candidates)
      throws SpacePandaException {
    long epoch = gc.group().epoch();
    if (askerEpoch != epoch) {
      return false;
    }
    Set<Integer> theirs = tags(ctx, extensions);
    Set<Integer> mine = new HashSet<>();
    for (SyncEnvelope e : held(ctx, gc, epoch)) {
      int tag = (int) (e.sequence() & 0xFFFF);
      mine.add(tag);
      if (!theirs.contains(tag)) {
        candidates.add(e);
      }
    }
    return !mine.containsAll(theirs);
  }
}
