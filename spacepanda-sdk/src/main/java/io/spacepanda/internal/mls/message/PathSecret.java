package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code PathSecret} of RFC 9420 §12.4.3.1 (also the plaintext of an UpdatePath ciphertext, §7.6).
 * Its {@code toString} never shows the secret.
 *
 * @param pathSecret the secret
 */
public record PathSecret(byte[] pathSecret) implements TlsEncodable {

  /** Checks presence. */
  public PathSecret {
    Objects.requireNonNull(pathSecret, "pathSecret");
  }

  /**
   * Decodes one {@code PathSecret} (RFC 9420 §12.4.3.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static PathSecret decode(TlsReader r) throws MlsDecodeException {
    return new PathSecret(r.opaque(MlsConstants.MAX_SECRET_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    w.opaque(pathSecret);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathSecret p && Arrays.equals(pathSecret, p.pathSecret);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(pathSecret);
  }

  @Override
  public String toString() {
    return "PathSecret[" + Codec.secret(pathSecret) + "]";
  }
}
