package io.spacepanda.internal.node;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SecretBlob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joiner's side of a re-admission after a fork (issue 11): the two KeyPackages a newcomer
 * joined a space with are kept after the join, for a while, so that a manager of the winning
 * branch can add it again with the same KeyPackages ({@link InviteDesk#readmit}) when the branch
 * that admitted it lost; the newcomer opens the new Welcomes with them ({@link Forks#rejoin}).
 *
 * <p>The bundles are stored like a channel request's ({@code putKeyPackage}, by KeyPackage
 * reference), and an index blob in the group-state table under the space id + {@code
 * "/readmit"}: {@code u8 version (1), u64 control epoch at the join, u8 n, (u16 len, ref)[n]}. Both
 * are deleted once the control group is {@link #KEEP_FACTOR} × the kept fork states past the join
 * epoch (a fork older than that cannot be resolved any more), or when the node leaves the space.
 * Keeping a KeyPackage's private keys after its Welcome was opened lets a thief of the store read
 * that Welcome if it also recorded it; the group's current secrets are in the same store anyway.
 *
 * <p>Every method runs in a step of the space's actor (or of the join), on its lane.
 */
final class ReadmitKeys {

  private static final Logger LOG = LoggerFactory.getLogger(ReadmitKeys.class);
  private static final byte VERSION = 1;
  private static final byte[] SUFFIX = "/readmit".getBytes(StandardCharsets.US_ASCII);
  /** Kept for this many times the kept fork states, in control-group epochs after the join. */
  static final int KEEP_FACTOR = 4;
  private static final int MAX_REFS = 8;
  private static final int MAX_REF = 255;

  private ReadmitKeys() {}

  /** Keeps the bundles a space was joined with, in the join's step. */
  static void keep(Step s, Id spaceId, long controlEpoch, List<KeyPackageBundle> bundles) {
    List<byte[]> refs = new ArrayList<>();
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + bundles.size() * (2 + MAX_REF));
    b.put(VERSION).putLong(controlEpoch).put((byte) bundles.size());
    for (KeyPackageBundle kp : bundles) {
      byte[] ref = kp.keyPackage().ref(NodeContext.SUITE);
      refs.add(ref);
      b.putShort((short) ref.length).put(ref);
    }
    byte[] index = java.util.Arrays.copyOf(b.array(), b.position());
    s.write(t -> {
      for (int i = 0; i < bundles.size(); i++) {
        t.putKeyPackage(Id.of(refs.get(i)), SecretBlob.copyOf(bundles.get(i).toBytes()));
      }
      t.putGroupState(Forks.suffixed(spaceId, SUFFIX), SecretBlob.copyOf(index));
    });
  }

  /**
   * After an epoch change of the control group: drops the kept bundles once the group is far
   * enough past the join.
   */
  static void expire(Step s, NodeContext ctx, Id spaceId, long controlEpoch, int keptStates)
      throws io.spacepanda.spi.StorageException {
    Id key = Forks.suffixed(spaceId, SUFFIX);
    Optional<SecretBlob> stored = ctx.storage.inTransaction(t -> t.groupState(key));
    if (stored.isEmpty()) {
      return;
    }
    long joined;
    List<Id> refs;
    try {
      ByteBuffer b = ByteBuffer.wrap(stored.get().revealBytes());
      if (b.get() != VERSION) {
        throw new MlsDecodeException("unknown re-admission key index");
      }
      joined = b.getLong();
      int n = b.get() & 0xFF;
      if (n > MAX_REFS) {
        throw new MlsDecodeException("re-admission key index too long");
      }
      refs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = b.getShort() & 0xFFFF;
        if (len > MAX_REF || len > b.remaining()) {
          throw new MlsDecodeException("re-admission key reference too long");
        }
        byte[] ref = new byte[len];
        b.get(ref);
        refs.add(Id.of(ref));
      }
    } catch (MlsDecodeException | java.nio.BufferUnderflowException e) {
      LOG.warn("unreadable re-admission key index; dropped");
      s.write(t -> t.deleteGroupState(key));
      return;
    }
    if (controlEpoch < joined + (long) KEEP_FACTOR * keptStates) {
      return;
    }
    LOG.debug("dropping the KeyPackages kept for a re-admission into space {}", spaceId);
    s.write(t -> {
      for (Id ref : refs) {
        t.deleteKeyPackage(ref);
      }
      t.deleteGroupState(key);
    });
  }

  /** Drops the kept bundles at once (the node left the space). */
  static void forget(Step s, NodeContext ctx, Id spaceId) throws io.spacepanda.spi.StorageException {
    expire(s, ctx, spaceId, Long.MAX_VALUE / 2, 0);
  }
}
