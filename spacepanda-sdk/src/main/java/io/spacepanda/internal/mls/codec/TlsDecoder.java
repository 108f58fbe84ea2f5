package io.spacepanda.internal.mls.codec;

import io.spacepanda.internal.mls.MlsDecodeException;

/**
 * Reads one value from a {@link TlsReader}.
 *
 * @param <T> the decoded type
 */
@FunctionalInterface
public interface TlsDecoder<T> {

  /**
   * Decodes one value.
   *
   * @param r the reader, positioned at the value
   * @return the value
   * @throws MlsDecodeException if the bytes are not a valid encoding
   */
  T decode(TlsReader r) throws MlsDecodeException;
}
