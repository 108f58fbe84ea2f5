package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;

/** {@code ContentType} of RFC 9420 §6: what a framed message carries. */
public enum ContentType {
  /** Application data. */
  APPLICATION(1),
  /** A proposal. */
  PROPOSAL(2),
  /** A commit. */
  COMMIT(3);

  private final int value;

  ContentType(int value) {
    this.value = value;
  }

  /** @return the uint8 wire value */
  public int value() {
    return value;
  }

  /**
   * Maps a wire value to the content type.
   *
   * @param value the uint8 value
   * @return the type
   * @throws MlsDecodeException if the value is not 1..3
   */
  public static ContentType of(int value) throws MlsDecodeException {
    switch (value) {
      case 1:
        return APPLICATION;
      case 2:
        return PROPOSAL;
      case 3:
        return COMMIT;
      default:
        throw new MlsDecodeException("unknown content type");
    }
  }
}
