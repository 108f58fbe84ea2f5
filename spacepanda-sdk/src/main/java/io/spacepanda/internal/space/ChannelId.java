package io.spacepanda.internal.space;

import java.security.SecureRandom;

/**
 * The identifier of a channel: {@value SpaceConstants#ID_LENGTH} bytes.
 *
 * <p>Immutable and thread-safe; compares by content, ordered as unsigned bytes; {@link #toString()}
 * prints hex.
 */
public final class ChannelId extends FixedId<ChannelId> {

  private ChannelId(byte[] bytes) {
    super(bytes);
  }

  /**
   * Returns the id with the given bytes.
   *
   * @param bytes exactly {@value SpaceConstants#ID_LENGTH} bytes, copied
   * @return the id
   * @throws IllegalArgumentException if the length is wrong
   */
  public static ChannelId of(byte[] bytes) {
    return new ChannelId(checked(bytes, "ChannelId"));
  }

  /**
   * Returns a fresh random id.
   *
   * @param random the randomness source
   * @return the id
   */
  public static ChannelId random(SecureRandom random) {
    return new ChannelId(randomBytes(random));
  }
}
