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
 * branch can add it again with the same KeyPackages ({@link ForkReadmit#readmit}) when the branch
 * that admitted it lost; the newcomer opens the new Welcomes with them ({@link Forks#rejoin}).
 *
 * <p>The bundles are stored like a channel request's ({@code putKeyPackage}, by KeyPackage
 * reference), and an index blob in the group-state table under the space id + {@code
 * "/readmit"} ({@link #encode}): the control epoch at the join, the references, and the epoch
 * authenticators of the states this node joined from a Welcome, so that a kept Welcome sent again
 * (the lost-Welcome hint of {@link ChannelSync}) is never taken for a re-admission. Both
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

  /** Most authenticators of epochs joined from a Welcome kept in the index; the oldest go. */
  static final int MAX_JOINED = 16;
  private static final byte VERSION_2 = 2;

  private ReadmitKeys() {}

  /**
   * The stored index.
   *
   * @param joinEpoch the control group's epoch at the join
   * @param refs the kept KeyPackages' references
   * @param joined the epoch authenticators of the group states this node joined from a Welcome
   *     (at the join and at each re-admission): a Welcome leading to one of them again is a copy
   *     sent again, never a re-admission
   */
  record Index(long joinEpoch, List<byte[]> refs, List<byte[]> joined) {}

  /** Keeps the bundles a space was joined with, in the join's step. */
  static void keep(Step s, Id spaceId, long controlEpoch, List<KeyPackageBundle> bundles,
      List<byte[]> joinedAuthenticators) {
    List<byte[]> refs = new ArrayList<>();
    for (KeyPackageBundle kp : bundles) {
      refs.add(kp.keyPackage().ref(NodeContext.SUITE));
    }
    byte[] index = encode(new Index(controlEpoch, refs, joinedAuthenticators));
    s.write(t -> {
      for (int i = 0; i < bundles.size(); i++) {
        t.putKeyPackage(Id.of(refs.get(i)), SecretBlob.copyOf(bundles.get(i).toBytes()));
      }
      t.putGroupState(Forks.suffixed(spaceId, SUFFIX), SecretBlob.copyOf(index));
    });
  }

  /**
   * Private format, version 2: {@code u8 version, u64 control epoch at the join, u8 n, (u16 len,
   * ref)[n], u8 m, (u8 len, authenticator)[m]}; version 1 ends after the references.
   */
  static byte[] encode(Index ix) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(VERSION_2);
    out.writeBytes(ByteBuffer.allocate(8).putLong(ix.joinEpoch()).array());
    out.write(ix.refs().size());
    for (byte[] ref : ix.refs()) {
      out.writeBytes(ByteBuffer.allocate(2).putShort((short) ref.length).array());
      out.writeBytes(ref);
    }
    List<byte[]> joined = ix.joined().size() <= MAX_JOINED ? ix.joined()
        : ix.joined().subList(ix.joined().size() - MAX_JOINED, ix.joined().size());
    out.write(joined.size());
    for (byte[] auth : joined) {
      out.write(auth.length);
      out.writeBytes(auth);
    }
    return out.toByteArray();
  }

  /** Reads a stored index. */
  static Index decode(byte[] bytes) throws MlsDecodeException {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != VERSION && version != VERSION_2) {
        throw new MlsDecodeException("unknown re-admission key index");
      }
      long joined = b.getLong();
      int n = b.get() & 0xFF;
      if (n > MAX_REFS) {
        throw new MlsDecodeException("re-admission key index too long");
      }
      List<byte[]> refs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = b.getShort() & 0xFFFF;
        if (len > MAX_REF || len > b.remaining()) {
          throw new MlsDecodeException("re-admission key reference too long");
        }
        byte[] ref = new byte[len];
        b.get(ref);
        refs.add(ref);
      }
      List<byte[]> auths = new ArrayList<>();
      if (version == VERSION_2) {
        int m = b.get() & 0xFF;
        if (m > MAX_JOINED) {
          throw new MlsDecodeException("re-admission index names too many epochs");
        }
        for (int i = 0; i < m; i++) {
          int len = b.get() & 0xFF;
          if (len > b.remaining()) {
            throw new MlsDecodeException("re-admission index authenticator too long");
          }
          byte[] auth = new byte[len];
          b.get(auth);
          auths.add(auth);
        }
      }
      if (b.hasRemaining()) {
        throw new MlsDecodeException("re-admission key index has trailing bytes");
      }
      return new Index(joined, refs, auths);
    } catch (java.nio.BufferUnderflowException e) {
      throw new MlsDecodeException("malformed re-admission key index");
    }
  }

  private static Optional<Index> read(Step s, NodeContext ctx, Id spaceId)
      throws io.spacepanda.spi.StorageException {
    Id key = Forks.suffixed(spaceId, SUFFIX);
    Optional<SecretBlob> stored = ctx.storage.inTransaction(t -> t.groupState(key));
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(decode(stored.get().revealBytes()));
    } catch (MlsDecodeException e) {
      LOG.warn("unreadable re-admission key index; dropped");
      s.write(t -> t.deleteGroupState(key));
      return Optional.empty();
    }
  }

  /**
   * Says whether this node already joined the group state a Welcome leads to (at its join or an
   * earlier re-admission): such a Welcome is a kept copy sent again, and must not replace the
   * group by an older state of the same branch.
   */
  static boolean joinedBefore(Step s, NodeContext ctx, Id spaceId, byte[] authenticator)
      throws io.spacepanda.spi.StorageException {
    Optional<Index> ix = read(s, ctx, spaceId);
    if (ix.isEmpty()) {
      return false;
    }
    for (byte[] a : ix.get().joined()) {
      if (java.util.Arrays.equals(a, authenticator)) {
        return true;
      }
    }
    return false;
  }

  /** Records a group state joined by a re-admission Welcome ({@link #joinedBefore}). */
  static void joined(Step s, Id spaceId, byte[] authenticator) {
    Id key = Forks.suffixed(spaceId, SUFFIX);
    byte[] auth = authenticator.clone();
    // Read and written in the step's transaction: two groups re-admitted in one step both count.
    s.write(t -> {
      Optional<SecretBlob> stored = t.groupState(key);
      if (stored.isEmpty()) {
        return;
      }
      Index ix;
      try {
        ix = decode(stored.get().revealBytes());
      } catch (MlsDecodeException e) {
        return;
      }
      List<byte[]> auths = new ArrayList<>(ix.joined());
      auths.add(auth);
      t.putGroupState(key, SecretBlob.copyOf(encode(new Index(ix.joinEpoch(), ix.refs(),
          auths))));
    });
  }

  /**
   * After an epoch change of the control group: drops the kept bundles once the group is far
   * enough past the join.
   */
  static void expire(Step s, NodeContext ctx, Id spaceId, long controlEpoch, int keptStates)
      throws io.spacepanda.spi.StorageException {
    Optional<Index> ix = read(s, ctx, spaceId);
    if (ix.isEmpty() || controlEpoch < ix.get().joinEpoch() + (long) KEEP_FACTOR * keptStates) {
      return;
    }
    LOG.debug("dropping the KeyPackages kept for a re-admission into space {}", spaceId);
    Id key = Forks.suffixed(spaceId, SUFFIX);
    List<byte[]> refs = ix.get().refs();
    s.write(t -> {
      for (byte[] ref : refs) {
        t.deleteKeyPackage(Id.of(ref));
      }
      t.deleteGroupState(key);
    });
  }

  /** Drops the kept bundles at once (the node left the space). */
  static void forget(Step s, NodeContext ctx, Id spaceId) throws io.spacepanda.spi.StorageException {
    expire(s, ctx, spaceId, Long.MAX_VALUE / 2, 0);
  }
}
