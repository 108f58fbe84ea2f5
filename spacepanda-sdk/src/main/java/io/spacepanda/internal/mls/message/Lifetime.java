package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;

/**
 * {@code Lifetime} of RFC 9420 §7.2: the validity window of a key package's leaf, in seconds since
 * the epoch (uint64 on the wire, held as the bits of a long).
 *
 * @param notBefore first valid second
 * @param notAfter last valid second
 */
public record Lifetime(long notBefore, long notAfter) implements TlsEncodable {

  /**
   * Decodes one {@code Lifetime} (RFC 9420 §7.2).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if truncated
   */
  public static Lifetime decode(TlsReader r) throws MlsDecodeException {
    return new Lifetime(r.u64(), r.u64());
  }

  @Override
  public void encode(TlsWriter w) {
    w.u64(notBefore).u64(notAfter);
  }
}
