package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code SenderData} of RFC 9420 §6.3.2: the sender's leaf, the ratchet generation and the reuse
 * guard of a private message.
 *
 * @param leafIndex the sender's leaf index
 * @param generation the secret-tree generation (uint32)
 * @param reuseGuard 4 random bytes
 */
public record SenderData(int leafIndex, long generation, byte[] reuseGuard)
    implements TlsEncodable {

  /** Checks ranges and the reuse guard's length. */
  public SenderData {
    Codec.checkIndex(leafIndex);
    if ((generation & ~0xFFFFFFFFL) != 0) {
      throw new IllegalArgumentException("generation out of range: " + generation);
    }
    if (Objects.requireNonNull(reuseGuard, "reuseGuard").length != MlsConstants.REUSE_GUARD_SIZE) {
      throw new IllegalArgumentException("reuse guard must be 4 bytes");
    }
  }

  /**
   * Decodes one {@code SenderData} (RFC 9420 §6.3.2).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if truncated or the leaf index is 2^31 or more
   */
  public static SenderData decode(TlsReader r) throws MlsDecodeException {
    return new SenderData(Codec.index(r), r.u32(), r.raw(MlsConstants.REUSE_GUARD_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6.3.2
    w.u32(leafIndex).u32(generation).raw(reuseGuard);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SenderData s && leafIndex == s.leafIndex && generation == s.generation
        && Arrays.equals(reuseGuard, s.reuseGuard);
  }

  @Override
  public int hashCode() {
    return Objects.hash(leafIndex, generation, Arrays.hashCode(reuseGuard));
  }

  @Override
  public String toString() {
    return "SenderData[leafIndex=" + leafIndex + ", generation=" + generation + "]";
  }
}
