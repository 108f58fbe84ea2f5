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
 * {@code ExternalSender} of RFC 9420 §12.1.8.1: one entry of the {@code external_senders} group
 * context extension, whose body is {@code ExternalSender external_senders<V>}.
 *
 * @param signatureKey the external sender's signature public key
 * @param credential its credential
 */
public record ExternalSender(byte[] signatureKey, Credential credential) implements TlsEncodable {

  /** Checks presence. */
  public ExternalSender {
    Objects.requireNonNull(signatureKey, "signatureKey");
    Objects.requireNonNull(credential, "credential");
  }

  /**
   * Decodes one {@code ExternalSender} (RFC 9420 §12.1.8.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static ExternalSender decode(TlsReader r) throws MlsDecodeException {
    return new ExternalSender(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE), Credential.decode(r));
  }

  /**
   * Decodes the body of an {@code external_senders} extension.
   *
   * @param extensionData the extension's data
   * @return the senders, in order (the sender index of §6 indexes this list)
   * @throws MlsDecodeException if malformed
   */
  public static List<ExternalSender> decodeList(byte[] extensionData) throws MlsDecodeException {
    return TlsReader.decodeExactly(extensionData, r -> r.vector(ExternalSender::decode));
  }

  /**
   * Builds an {@code external_senders} extension.
   *
   * @param senders the senders, in order
   * @return the extension
   */
  public static Extension toExtension(List<ExternalSender> senders) {
    return new Extension(Extension.EXTERNAL_SENDERS,
        new TlsWriter().vector(senders).toByteArray());
  }

  @Override
  public void encode(TlsWriter w) {
    w.opaque(signatureKey);
    credential.encode(w);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExternalSender e && Arrays.equals(signatureKey, e.signatureKey)
        && credential.equals(e.credential);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(signatureKey) + credential.hashCode();
  }

  @Override
  public String toString() {
    return "ExternalSender[signatureKey=" + Codec.show(signatureKey) + ", " + credential + "]";
  }
}
