package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.HpkeCiphertext;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code UpdatePathNode} of RFC 9420 §7.6: a new parent key and the path secret encrypted to each
 * node of the copath resolution.
 *
 * @param encryptionKey the new HPKE public key of the node
 * @param encryptedPathSecret one ciphertext per resolution node
 */
public record UpdatePathNode(byte[] encryptionKey, List<HpkeCiphertext> encryptedPathSecret)
    implements TlsEncodable {

  /** Checks presence and copies the list. */
  public UpdatePathNode {
    Objects.requireNonNull(encryptionKey, "encryptionKey");
    encryptedPathSecret = Codec.list(encryptedPathSecret, "encryptedPathSecret");
  }

  /**
   * Decodes one {@code UpdatePathNode} (RFC 9420 §7.6).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static UpdatePathNode decode(TlsReader r) throws MlsDecodeException {
    return new UpdatePathNode(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE),
        r.vector(UpdatePathNode::decodeCiphertext));
  }

  static HpkeCiphertext decodeCiphertext(TlsReader r) throws MlsDecodeException {
    return new HpkeCiphertext(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE),
        r.opaque(MlsConstants.MAX_CIPHERTEXT_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §7.6
    w.opaque(encryptionKey).vector(encryptedPathSecret);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpdatePathNode n && Arrays.equals(encryptionKey, n.encryptionKey)
        && encryptedPathSecret.equals(n.encryptedPathSecret);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(encryptionKey) + encryptedPathSecret.hashCode();
  }

  @Override
  public String toString() {
    return "UpdatePathNode[encryptionKey=" + Codec.show(encryptionKey) + ", ciphertexts="
        + encryptedPathSecret.size() + "]";
  }
}
