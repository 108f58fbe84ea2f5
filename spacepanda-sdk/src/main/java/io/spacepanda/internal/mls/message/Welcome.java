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
 * {@code Welcome} of RFC 9420 §12.4.3.1: per-member encrypted group secrets and the encrypted
 * group info.
 *
 * @param cipherSuite the group's cipher suite id
 * @param secrets one entry per new member
 * @param encryptedGroupInfo the AEAD-encrypted {@link GroupInfo}
 */
public record Welcome(int cipherSuite, List<EncryptedGroupSecrets> secrets,
    byte[] encryptedGroupInfo) implements TlsEncodable {

  /** Checks presence and ranges and copies the list. */
  public Welcome {
    if ((cipherSuite & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("cipher suite out of range: " + cipherSuite);
    }
    secrets = Codec.list(secrets, "secrets");
    Objects.requireNonNull(encryptedGroupInfo, "encryptedGroupInfo");
  }

  /**
   * Decodes one {@code Welcome} (RFC 9420 §12.4.3.1).
   *
   * @param r the reader
   * @return the welcome
   * @throws MlsDecodeException if malformed or oversized
   */
  public static Welcome decode(TlsReader r) throws MlsDecodeException {
    return new Welcome(r.u16(), r.vector(EncryptedGroupSecrets::decode),
        r.opaque(MlsConstants.MAX_CIPHERTEXT_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §12.4.3.1
    w.u16(cipherSuite).vector(secrets).opaque(encryptedGroupInfo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Welcome x && cipherSuite == x.cipherSuite && secrets.equals(x.secrets)
        && Arrays.equals(encryptedGroupInfo, x.encryptedGroupInfo);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cipherSuite, secrets, Arrays.hashCode(encryptedGroupInfo));
  }

  @Override
  public String toString() {
    return "Welcome[cipherSuite=" + cipherSuite + ", secrets=" + secrets.size()
        + ", encryptedGroupInfo=" + encryptedGroupInfo.length + " bytes]";
  }
}
