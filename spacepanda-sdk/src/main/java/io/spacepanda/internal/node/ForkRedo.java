package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redo list of a fork switch ({@link Forks}): what this node's losing branch did that the
 * winning one lacks (the members it removed, the members it added, its own messages of the epochs
 * after the fork), done again once this node reached the winner's epoch.
 *
 * <p>The list is stored with the switch, in the same step (a secret blob under the group id +
 * {@code "/redo"}), and deleted in the step that does it; so a node that restarts between the
 * switch and the winner's epoch still does it (it reads the list back at its next epoch change of
 * the group). Private format, version 1: {@code u8 version, u64 parent, u64 tip, u16 n, (u8 len,
 * PeerId)[n] removed, u16 m, (u8 len, PeerId)[m] added}.
 *
 * <p>Every method runs in a step of the owning {@link SpaceActor}, on its lane.
 */
final class ForkRedo {

  private static final Logger LOG = LoggerFactory.getLogger(ForkRedo.class);
  private static final byte VERSION = 1;
  private static final byte[] SUFFIX = "/redo".getBytes(StandardCharsets.US_ASCII);
  /** Most members a stored list names in each set. */
  static final int MAX_PEERS = 4096;

  private final SpaceActor a;
  private final NodeContext ctx;
  private final Map<Id, Catchup> catchups = new HashMap<>();
  /** Groups whose stored list was read since this node started. */
  private final Set<Id> loaded = new HashSet<>();

  /**
   * What to do again for a group once at epoch {@code tip}.
   *
   * @param parent the epoch the branches split from
   * @param tip the winner's epoch to reach first
   * @param removed members the losing branch removed
   * @param added members the losing branch added
   */
  record Catchup(long parent, long tip, Set<PeerId> removed, Set<PeerId> added) {
    Catchup {
      removed = Set.copyOf(removed);
      added = Set.copyOf(added);
    }
  }

  ForkRedo(SpaceActor actor) {
    this.a = actor;
    this.ctx = actor.ctx;
  }

  /** Remembers and stores a group's redo list, in the switch's step. */
  void put(Step s, Id groupId, Catchup c) {
    loaded.add(groupId);
    catchups.put(groupId, c);
    byte[] encoded = encode(c);
    s.onFailure(() -> catchups.remove(groupId));
    s.write(t -> t.putGroupState(key(groupId), SecretBlob.copyOf(encoded)));
  }

  /** After an epoch change: does the redo list once the group reached the winner's epoch. */
  void afterEpochChange(Step s, GroupChannel gc) throws SpacePandaException {
    Id gid = gc.id();
    if (loaded.add(gid)) {
      Optional<SecretBlob> stored = ctx.storage.inTransaction(t -> t.groupState(key(gid)));
      if (stored.isPresent()) {
        try {
          catchups.putIfAbsent(gid, decode(stored.get().revealBytes()));
          LOG.info("resuming the redo list of a fork switch of {} stored before a restart",
              gc.name());
        } catch (MlsDecodeException e) {
          LOG.warn("unreadable redo list of {}; dropped", gc.name());
          s.write(t -> t.deleteGroupState(key(gid)));
        }
      }
    }
    Catchup c = catchups.get(gid);
    if (c != null && gc.group().epoch() >= c.tip()) {
      catchups.remove(gid);
      s.onFailure(() -> catchups.put(gid, c));
      s.write(t -> t.deleteGroupState(key(gid)));
      redo(s, gc, c);
    }
  }

  /** Forgets a group this node left. */
  void forget(Step s, Id groupId) {
    catchups.remove(groupId);
    s.write(t -> t.deleteGroupState(key(groupId)));
  }

  /**
   * Tells the listener how a channel's members changed when this node left a losing branch of it:
   * {@code onMemberRemoved} for each member the app was shown that the group now lacks (added on
   * the losing branch), {@code onMemberJoined} for each member it now has that the app was last
   * shown as gone (removed or left on the losing branch). So an app that keeps a channel's member
   * list from these events holds the winning branch's list; the events follow {@code
   * onForkResolved}. The control group shows no member events; nothing to undo there.
   *
   * @param s the step
   * @param now the group as it is now
   * @param shown the members the app was shown (the losing branch's)
   * @param actual the members it has now
   */
  void undoShown(Step s, GroupChannel now, Set<PeerId> shown, Set<PeerId> actual) {
    if (now.isControl()) {
      return;
    }
    io.spacepanda.Channel h = a.channelHandle(now);
    for (PeerId p : new TreeSet<>(shown)) {
      if (!actual.contains(p) && !p.equals(ctx.self)) {
        s.event(l -> l.onMemberRemoved(h, p));
      }
    }
    for (PeerId p : new TreeSet<>(actual)) {
      if (!shown.contains(p) && !p.equals(ctx.self)) {
        s.event(l -> l.onMemberJoined(h, p));
      }
    }
  }

  private static Id key(Id groupId) {
    return Forks.suffixed(groupId, SUFFIX);
  }

  static byte[] encode(Catchup c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(17).put(VERSION).putLong(c.parent()).putLong(c.tip())
        .array());
    for (Set<PeerId> set : List.of(c.removed(), c.added())) {
      out.writeBytes(ByteBuffer.allocate(2).putShort((short) set.size()).array());
      for (PeerId p : new TreeSet<>(set)) {
        byte[] b = p.bytes();
        out.write(b.length);
        out.writeBytes(b);
      }
    }
    return out.toByteArray();
  }

  static Catchup decode(byte[] bytes) throws MlsDecodeException {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      if (b.get() != VERSION) {
        throw new MlsDecodeException("unknown redo list format");
      }
      long parent = b.getLong();
      long tip = b.getLong();
      if (parent < 0 || tip <= parent) {
        throw new MlsDecodeException("redo list epochs out of order");
      }
      List<Set<PeerId>> sets = new ArrayList<>(2);
      for (int k = 0; k < 2; k++) {
        int n = b.getShort() & 0xFFFF;
        if (n > MAX_PEERS) {
          throw new MlsDecodeException("redo list names too many members");
        }
        Set<PeerId> set = new HashSet<>();
        for (int i = 0; i < n; i++) {
          int len = b.get() & 0xFF;
          if (len > PeerId.MAX_LENGTH || len > b.remaining()) {
            throw new MlsDecodeException("redo list member too long");
          }
          byte[] p = new byte[len];
          b.get(p);
          set.add(PeerId.fromBytes(p));
        }
        sets.add(set);
      }
      if (b.hasRemaining()) {
        throw new MlsDecodeException("redo list has trailing bytes");
      }
      return new Catchup(parent, tip, sets.get(0), sets.get(1));
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new MlsDecodeException("malformed redo list");
    }
  }

  /** Once at the winner's epoch: what the losing branch did that the winning one lacks. */
  private void redo(Step s, GroupChannel gc, Catchup c) throws SpacePandaException {
    if (a.commits.mayCommit(gc)) {
      for (PeerId p : c.removed()) {
        if (!p.equals(ctx.self) && gc.leafOf(p) >= 0) {
          a.commits.proposeRemoval(s, gc, p);
        }
      }
      if (gc.isControl()) {
        // Newcomers the losing branch admitted: added again (same KeyPackages) if still listed.
        for (PeerId p : c.added()) {
          if (gc.leafOf(p) < 0) {
            a.invites.readmits.readmit(s, p);
          }
        }
      } else {
        for (PeerId p : c.added()) {
          Contact mi = a.contact(p);
          boolean missing = gc.leafOf(p) < 0 && a.control.leafOf(p) >= 0;
          if (missing && a.invites.readmits.readmitChannel(s, gc, p)) {
            continue; // a newcomer this node admitted: added again with its KeyPackage
          }
          if (missing && mi != null) {
            a.dispatchAfterCommit(s, a.services.messenger().send(s, a.services.outbox(), p,
                mi.inboxKey(), new NodeWire.ChannelInvite(a.spaceId.toBytes(),
                    SpaceInbound.info(gc))));
          }
        }
      }
    }
    resend(s, gc, c.parent());
    a.commits.commitPendingIfDue(s, gc);
  }

  /** Sends again this node's application messages of epochs after the parent, same sequences. */
  private void resend(Step s, GroupChannel gc, long parent) throws SpacePandaException {
    Id self = NodeContext.peerKey(ctx.self);
    long next = gc.nextSequence();
    long from = Math.max(0, next - Forks.MAX_RESEND);
    List<SyncEnvelope> mine = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(gc.id(), self, from, Forks.MAX_RESEND));
    TreeSet<Long> seqs = new TreeSet<>();
    for (SyncEnvelope e : mine) {
      if (e.epoch() > parent && e.mlsMessageLength() > 0) {
        seqs.add(e.sequence());
      }
    }
    if (seqs.isEmpty()) {
      return;
    }
    List<InnerPayload> again = new ArrayList<>();
    if (gc.isControl()) {
      // One space operation per sequence, in order: the last ones this node authored.
      List<SpaceOperation> ops = ctx.storage.inTransaction(t -> t.spaceOperations(a.spaceId));
      List<SpaceOp> own = new ArrayList<>();
      for (SpaceOperation op : ops) {
        if (op.authorPeerId().equals(self)) {
          try {
            own.add(SpaceOp.decode(op.payload()));
          } catch (SpaceDecodeException e) {
            LOG.debug("skipping an unreadable own space operation");
          }
        }
      }
      own.sort(java.util.Comparator.comparingLong(SpaceOp::lamport));
      List<Long> order = new ArrayList<>(seqs);
      int k = Math.min(order.size(), own.size());
      for (int i = 0; i < k; i++) {
        SpaceOp op = own.get(own.size() - k + i);
        again.add(new InnerPayload(0, gc.lamport(), order.get(order.size() - k + i),
            op.encode()));
      }
    } else {
      List<StoredMessage> rows = ctx.storage.inTransaction(
          t -> t.history(gc.id(), null, Forks.MAX_RESEND * 4));
      for (StoredMessage m : rows) {
        if (m.senderPeerId().equals(self) && seqs.contains(m.senderSequence())) {
          again.add(new InnerPayload(m.contentType(), m.lamport(), m.senderSequence(), m.body()));
        }
      }
    }
    LOG.info("sending again {} own messages of {} from the losing branch", again.size(),
        gc.name());
    List<OutboxEntry> out = new ArrayList<>();
    Set<PeerId> others = a.others(gc);
    for (InnerPayload payload : again) {
      byte[] mls = gc.group().protect(payload.toBytes(), new byte[0]).toBytes();
      ctx.seen.put(MessageId.of(NodeContext.sha256(mls)), Boolean.TRUE);
      SyncEnvelope kept = new SyncEnvelope(gc.id(), self, payload.senderSequence(),
          gc.group().epoch(), mls);
      s.write(t -> t.replaceSyncEnvelope(kept));
      byte[] env = GroupEnvelope.seal(gc.currentKeys(), mls, ctx.padding, ctx.config.random());
      for (PeerId r : others) {
        out.add(a.services.outbox().enqueue(s, env, r));
      }
    }
    s.write(t -> GroupStore.saveRatchet(t, gc));
    a.dispatchAfterCommit(s, out);
  }
}
