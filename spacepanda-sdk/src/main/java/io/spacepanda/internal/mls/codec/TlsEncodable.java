package io.spacepanda.internal.mls.codec;

/** A structure with an RFC 9420 wire encoding. */
public interface TlsEncodable {

  /**
   * Appends this structure's encoding.
   *
   * @param w the writer
   */
  void encode(TlsWriter w);

  /** @return this structure's encoding as a fresh array */
  default byte[] toBytes() {
    return TlsWriter.encode(this);
  }
}
