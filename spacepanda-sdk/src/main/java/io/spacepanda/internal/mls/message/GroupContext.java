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
 * {@code GroupContext} of RFC 9420 §8.1: the summary of a group's state in one epoch.
 *
 * @param version protocol version (always mls10 = 1)
 * @param cipherSuite the cipher suite id
 * @param groupId the group id
 * @param epoch the epoch (uint64 bits)
 * @param treeHash the root tree hash
 * @param confirmedTranscriptHash the confirmed transcript hash
 * @param extensions the group extensions
 */
public record GroupContext(int version, int cipherSuite, byte[] groupId, long epoch,
    byte[] treeHash, byte[] confirmedTranscriptHash, List<Extension> extensions)
    implements TlsEncodable {

  /** Checks presence and ranges and copies the list. */
  public GroupContext {
    if (version != ProtocolVersion.MLS10) {
      throw new IllegalArgumentException("version must be mls10: " + version);
    }
    if ((cipherSuite & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("cipher suite out of range: " + cipherSuite);
    }
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(treeHash, "treeHash");
    Objects.requireNonNull(confirmedTranscriptHash, "confirmedTranscriptHash");
    extensions = Codec.list(extensions, "extensions");
  }

  /**
   * Decodes one {@code GroupContext} (RFC 9420 §8.1).
   *
   * @param r the reader
   * @return the context
   * @throws MlsDecodeException if malformed, oversized or the version is not mls10
   */
  public static GroupContext decode(TlsReader r) throws MlsDecodeException {
    int version = r.u16();
    if (version != ProtocolVersion.MLS10) {
      throw new MlsDecodeException("unsupported protocol version");
    }
    return new GroupContext(version, r.u16(), r.opaque(MlsConstants.MAX_GROUP_ID_SIZE), r.u64(),
        r.opaque(MlsConstants.MAX_HASH_SIZE), r.opaque(MlsConstants.MAX_HASH_SIZE),
        r.vector(Extension::decode));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §8.1
    w.u16(version).u16(cipherSuite).opaque(groupId).u64(epoch).opaque(treeHash)
        .opaque(confirmedTranscriptHash).vector(extensions);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupContext g && version == g.version && cipherSuite == g.cipherSuite
        && Arrays.equals(groupId, g.groupId) && epoch == g.epoch
        && Arrays.equals(treeHash, g.treeHash)
        && Arrays.equals(confirmedTranscriptHash, g.confirmedTranscriptHash)
        && extensions.equals(g.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, cipherSuite, Arrays.hashCode(groupId), epoch,
        Arrays.hashCode(treeHash), Arrays.hashCode(confirmedTranscriptHash), extensions);
  }

  @Override
  public String toString() {
    return "GroupContext[cipherSuite=" + cipherSuite + ", groupId=" + Codec.show(groupId)
        + ", epoch=" + Long.toUnsignedString(epoch) + ", treeHash=" + Codec.show(treeHash)
        + ", confirmedTranscriptHash=" + Codec.show(confirmedTranscriptHash) + ", extensions="
        + extensions + "]";
  }
}
