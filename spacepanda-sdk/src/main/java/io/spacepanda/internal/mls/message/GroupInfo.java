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
 * {@code GroupInfo} of RFC 9420 §12.4.3: the signed group state a joiner needs.
 *
 * @param groupContext the group context of the new epoch
 * @param extensions group info extensions (e.g. ratchet_tree, external_pub)
 * @param confirmationTag the confirmation tag of the epoch
 * @param signer the signer's leaf index
 * @param signature SignWithLabel(., "GroupInfoTBS", GroupInfoTBS); empty before signing
 */
public record GroupInfo(GroupContext groupContext, List<Extension> extensions,
    byte[] confirmationTag, int signer, byte[] signature) implements TlsEncodable {

  /** Checks presence and ranges and copies the list. */
  public GroupInfo {
    Objects.requireNonNull(groupContext, "groupContext");
    extensions = Codec.list(extensions, "extensions");
    Objects.requireNonNull(confirmationTag, "confirmationTag");
    Codec.checkIndex(signer);
    signature = signature == null ? new byte[0] : signature;
  }

  /**
   * Returns this group info with another signature.
   *
   * @param newSignature the signature
   * @return a new group info
   */
  public GroupInfo withSignature(byte[] newSignature) {
    return new GroupInfo(groupContext, extensions, confirmationTag, signer,
        Objects.requireNonNull(newSignature, "signature"));
  }

  /**
   * Encodes the {@code GroupInfoTBS} the signature covers (RFC 9420 §12.4.3).
   *
   * @return the encoding to pass to SignWithLabel with label "GroupInfoTBS"
   */
  public byte[] toBeSigned() {
    TlsWriter w = new TlsWriter();
    writeContent(w);
    return w.toByteArray();
  }

  private void writeContent(TlsWriter w) {
    // RFC 9420 §12.4.3
    groupContext.encode(w);
    w.vector(extensions).opaque(confirmationTag).u32(signer);
  }

  @Override
  public void encode(TlsWriter w) {
    writeContent(w);
    w.opaque(signature);
  }

  /**
   * Decodes one {@code GroupInfo} (RFC 9420 §12.4.3).
   *
   * @param r the reader
   * @return the group info
   * @throws MlsDecodeException if malformed or oversized
   */
  public static GroupInfo decode(TlsReader r) throws MlsDecodeException {
    return new GroupInfo(GroupContext.decode(r), r.vector(Extension::decode),
        r.opaque(MlsConstants.MAX_HASH_SIZE), Codec.index(r),
        r.opaque(MlsConstants.MAX_SIGNATURE_SIZE));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupInfo g && groupContext.equals(g.groupContext)
        && extensions.equals(g.extensions) && Arrays.equals(confirmationTag, g.confirmationTag)
        && signer == g.signer && Arrays.equals(signature, g.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(groupContext, extensions, Arrays.hashCode(confirmationTag), signer,
        Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "GroupInfo[groupContext=" + groupContext + ", extensions=" + extensions.size()
        + ", signer=" + signer + "]";
  }
}
