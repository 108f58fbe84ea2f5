package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.Extension;
import java.util.List;

/**
 * One entry of the external_senders extension (RFC 9420 §12.1.8.1): a signature key and credential
 * allowed to send proposals to the group as {@code external} sender.
 *
 * @param signatureKey the sender's signature public key
 * @param credential the sender's credential
 */
record ExternalSender(byte[] signatureKey, Credential credential) {

  @Override
  public boolean equals(Object o) {
    return o instanceof ExternalSender e && java.util.Arrays.equals(e.signatureKey, signatureKey)
        && e.credential.equals(credential);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(signatureKey);
  }

  @Override
  public String toString() {
    return "ExternalSender[" + credential + "]";
  }

  /** Returns the external senders of a GroupContext's extensions, empty when there are none. */
  static List<ExternalSender> find(List<Extension> extensions) throws MlsValidationException {
    for (Extension x : extensions) {
      if (x.extensionType() == Extension.EXTERNAL_SENDERS) {
        try {
          // RFC 9420 §12.1.8.1: ExternalSender external_senders<V>
          return TlsReader.decodeExactly(x.extensionData(), r -> r.vector(
              v -> new ExternalSender(v.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE),
                  Credential.decode(v))));
        } catch (MlsDecodeException e) {
          throw new MlsValidationException("external senders malformed", e);
        }
      }
    }
    return List.of();
  }
}
