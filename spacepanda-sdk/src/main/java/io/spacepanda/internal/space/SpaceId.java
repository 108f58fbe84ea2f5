package io.spacepanda.internal.space;

import java.security.SecureRandom;

/**
 * The identifier of a space: {@value SpaceConstants#ID_LENGTH} bytes.
 *
 * <p>Immutable and thread-safe; compares by content, ordered as unsigned bytes; {@link #toString()}
 * prints hex.
 */
public final class SpaceId extends FixedId<SpaceId> {

  private SpaceId(byte[] bytes) {
    super(bytes);
  }

  /**
   * Returns the id with the given bytes.
   *
   * @param bytes exactly {@value SpaceConstants#ID_LENGTH} bytes, copied
   * @return the id
   * @throws IllegalArgumentException if the length is wrong
   */
  public static SpaceId of(byte[] bytes) {
    return new SpaceId(checked(bytes, "SpaceId"));
  }

  /**
   * Returns a fresh random id.
   *
   * @param random the randomness source
   * @return the id
   */
  public static SpaceId random(SecureRandom random) {
    return new SpaceId(randomBytes(random));
  }
}
