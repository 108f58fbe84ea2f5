package io.spacepanda.internal.mls.crypto;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;

/**
 * {@code HPKECiphertext} of RFC 9420 §5.1.3 / §7.6: the KEM output and the AEAD ciphertext.
 *
 * @param kemOutput the HPKE encapsulated key
 * @param ciphertext the AEAD ciphertext including its tag
 */
public record HpkeCiphertext(byte[] kemOutput, byte[] ciphertext) implements TlsEncodable {

  /**
   * Decodes one {@code HPKECiphertext}.
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed
   */
  public static HpkeCiphertext decode(TlsReader r) throws MlsDecodeException {
    return new HpkeCiphertext(r.opaque(), r.opaque());
  }

  @Override
  public void encode(TlsWriter w) {
    w.opaque(kemOutput).opaque(ciphertext);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HpkeCiphertext h
        && Arrays.equals(kemOutput, h.kemOutput) && Arrays.equals(ciphertext, h.ciphertext);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(kemOutput) + Arrays.hashCode(ciphertext);
  }

  @Override
  public String toString() {
    return "HpkeCiphertext[" + kemOutput.length + "+" + ciphertext.length + " bytes]";
  }
}
