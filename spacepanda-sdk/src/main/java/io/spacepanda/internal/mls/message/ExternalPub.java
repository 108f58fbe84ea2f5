package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code ExternalPub} of RFC 9420 §12.4.3.2: the body of the {@code external_pub} group info
 * extension, the HPKE key an external joiner encapsulates to.
 *
 * @param externalPub the HPKE public key
 */
public record ExternalPub(byte[] externalPub) implements TlsEncodable {

  /** Checks presence. */
  public ExternalPub {
    Objects.requireNonNull(externalPub, "externalPub");
  }

  /**
   * Decodes one {@code ExternalPub} (RFC 9420 §12.4.3.2).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static ExternalPub decode(TlsReader r) throws MlsDecodeException {
    return new ExternalPub(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    w.opaque(externalPub);
  }

  /** @return this value as an {@code external_pub} extension */
  public Extension toExtension() {
    return new Extension(Extension.EXTERNAL_PUB, toBytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExternalPub e && Arrays.equals(externalPub, e.externalPub);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(externalPub);
  }

  @Override
  public String toString() {
    return "ExternalPub[" + Codec.show(externalPub) + "]";
  }
}
