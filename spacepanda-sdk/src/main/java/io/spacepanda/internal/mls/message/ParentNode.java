package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code ParentNode} of RFC 9420 §7.1: an HPKE key, its parent hash and the unmerged leaves.
 *
 * @param encryptionKey HPKE public key
 * @param parentHash parent hash (may be empty)
 * @param unmergedLeaves leaf indices added below this node since it was last set
 */
public record ParentNode(byte[] encryptionKey, byte[] parentHash, List<Integer> unmergedLeaves)
    implements Node, TlsEncodable {

  /** Checks presence and that every unmerged leaf index is non-negative. */
  public ParentNode {
    Objects.requireNonNull(encryptionKey, "encryptionKey");
    Objects.requireNonNull(parentHash, "parentHash");
    unmergedLeaves = Codec.list(unmergedLeaves, "unmergedLeaves");
    unmergedLeaves.forEach(Codec::checkIndex);
  }

  /**
   * Decodes one {@code ParentNode} (RFC 9420 §7.1).
   *
   * @param r the reader
   * @return the node
   * @throws MlsDecodeException if malformed, oversized or a leaf index is 2^31 or more
   */
  public static ParentNode decode(TlsReader r) throws MlsDecodeException {
    return new ParentNode(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE),
        r.opaque(MlsConstants.MAX_HASH_SIZE), r.vector(Codec::index));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §7.1
    w.opaque(encryptionKey).opaque(parentHash);
    w.vector(unmergedLeaves, (v, leaf) -> v.u32(leaf));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParentNode p && Arrays.equals(encryptionKey, p.encryptionKey)
        && Arrays.equals(parentHash, p.parentHash) && unmergedLeaves.equals(p.unmergedLeaves);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(encryptionKey), Arrays.hashCode(parentHash), unmergedLeaves);
  }

  @Override
  public String toString() {
    return "ParentNode[encryptionKey=" + Codec.show(encryptionKey) + ", parentHash="
        + Codec.show(parentHash) + ", unmergedLeaves=" + unmergedLeaves + "]";
  }
}
