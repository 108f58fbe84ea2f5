package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code FramedContentAuthData} of RFC 9420 §6.1: the signature and, for commits only, the
 * confirmation tag. Its encoding depends on the content type, so it has no context-free
 * {@code encode(TlsWriter)}.
 *
 * @param signature SignWithLabel(., "FramedContentTBS", FramedContentTBS)
 * @param confirmationTag the confirmation tag (commit only, else null)
 */
public record FramedContentAuthData(byte[] signature, byte[] confirmationTag) {

  /** Checks presence of the signature. */
  public FramedContentAuthData {
    Objects.requireNonNull(signature, "signature");
  }

  /**
   * Writes the auth data for content of the given type (RFC 9420 §6.1).
   *
   * @param w the writer
   * @param contentType the content type of the framed content
   * @throws IllegalArgumentException if the confirmation tag's presence does not match the type
   */
  public void encode(TlsWriter w, ContentType contentType) {
    if ((confirmationTag != null) != (contentType == ContentType.COMMIT)) {
      throw new IllegalArgumentException("confirmation tag must be present exactly for commits");
    }
    w.opaque(signature);
    if (contentType == ContentType.COMMIT) {
      w.opaque(confirmationTag);
    }
  }

  /**
   * Decodes the auth data of content of the given type (RFC 9420 §6.1).
   *
   * @param r the reader
   * @param contentType the content type of the framed content
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static FramedContentAuthData decode(TlsReader r, ContentType contentType)
      throws MlsDecodeException {
    byte[] signature = r.opaque(MlsConstants.MAX_SIGNATURE_SIZE);
    byte[] tag = contentType == ContentType.COMMIT ? r.opaque(MlsConstants.MAX_HASH_SIZE) : null;
    return new FramedContentAuthData(signature, tag);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FramedContentAuthData a && Arrays.equals(signature, a.signature)
        && Arrays.equals(confirmationTag, a.confirmationTag);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(signature) + Arrays.hashCode(confirmationTag);
  }

  @Override
  public String toString() {
    return "FramedContentAuthData[signature=" + Codec.show(signature)
        + (confirmationTag != null ? ", confirmationTag=" + Codec.show(confirmationTag) : "") + "]";
  }
}
