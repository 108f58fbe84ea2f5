package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;

/** {@code LeafNodeSource} of RFC 9420 §7.2: why a leaf node was created. */
public enum LeafNodeSource {
  /** Created for a key package. */
  KEY_PACKAGE(1),
  /** Created for an Update proposal. */
  UPDATE(2),
  /** Created for the UpdatePath of a commit. */
  COMMIT(3);

  private final int value;

  LeafNodeSource(int value) {
    this.value = value;
  }

  /** @return the uint8 wire value */
  public int value() {
    return value;
  }

  /**
   * Maps a wire value to the source.
   *
   * @param value the uint8 value
   * @return the source
   * @throws MlsDecodeException if the value is not 1, 2 or 3
   */
  public static LeafNodeSource of(int value) throws MlsDecodeException {
    switch (value) {
      case 1:
        return KEY_PACKAGE;
      case 2:
        return UPDATE;
      case 3:
        return COMMIT;
      default:
        throw new MlsDecodeException("unknown leaf node source");
    }
  }
}
