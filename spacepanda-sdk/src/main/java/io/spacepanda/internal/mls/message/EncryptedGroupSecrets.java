package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.HpkeCiphertext;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code EncryptedGroupSecrets} of RFC 9420 §12.4.3.1: group secrets encrypted to one new member,
 * named by the reference of its key package.
 *
 * @param newMember the KeyPackageRef of the new member
 * @param encryptedGroupSecrets the encrypted {@link GroupSecrets}
 */
public record EncryptedGroupSecrets(byte[] newMember, HpkeCiphertext encryptedGroupSecrets)
    implements TlsEncodable {

  /** Checks presence. */
  public EncryptedGroupSecrets {
    Objects.requireNonNull(newMember, "newMember");
    Objects.requireNonNull(encryptedGroupSecrets, "encryptedGroupSecrets");
  }

  /**
   * Decodes one {@code EncryptedGroupSecrets} (RFC 9420 §12.4.3.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static EncryptedGroupSecrets decode(TlsReader r) throws MlsDecodeException {
    return new EncryptedGroupSecrets(r.opaque(MlsConstants.MAX_HASH_SIZE),
        UpdatePathNode.decodeCiphertext(r));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §12.4.3.1
    w.opaque(newMember);
    encryptedGroupSecrets.encode(w);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptedGroupSecrets e && Arrays.equals(newMember, e.newMember)
        && encryptedGroupSecrets.equals(e.encryptedGroupSecrets);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(newMember) + encryptedGroupSecrets.hashCode();
  }

  @Override
  public String toString() {
    return "EncryptedGroupSecrets[newMember=" + Codec.show(newMember) + ", "
        + encryptedGroupSecrets + "]";
  }
}
