package io.spacepanda.internal.mls.framing;

/**
 * Options of {@link MessageFramer}.
 *
 * @param paddingBlockSize PrivateMessageContent plaintexts are zero-padded to a multiple of this
 *     many bytes (RFC 9420 §6.3.1); 0 or 1 means no padding
 */
public record FramingOptions(int paddingBlockSize) {

  /** Largest accepted padding block, in bytes. */
  public static final int MAX_PADDING_BLOCK_SIZE = 64 * 1024;

  /** Defaults: plaintexts padded to a multiple of 32 bytes. */
  public static final FramingOptions DEFAULT = new FramingOptions(32);

  /**
   * Checks the options.
   *
   * @param paddingBlockSize 0 to {@link #MAX_PADDING_BLOCK_SIZE}
   * @throws IllegalArgumentException naming a value out of range
   */
  public FramingOptions {
    if (paddingBlockSize < 0 || paddingBlockSize > MAX_PADDING_BLOCK_SIZE) {
      throw new IllegalArgumentException("paddingBlockSize out of range: " + paddingBlockSize);
    }
  }
}
