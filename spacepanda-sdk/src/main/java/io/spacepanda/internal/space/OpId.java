package io.spacepanda.internal.space;

import java.security.SecureRandom;

/**
 * The identifier of a space metadata operation: {@value SpaceConstants#ID_LENGTH} bytes.
 *
 * <p>Immutable and thread-safe; compares by content, ordered as unsigned bytes; {@link #toString()}
 * prints hex.
 */
public final class OpId extends FixedId<OpId> {

  private OpId(byte[] bytes) {
    super(bytes);
  }

  /**
   * Returns the id with the given bytes.
   *
   * @param bytes exactly {@value SpaceConstants#ID_LENGTH} bytes, copied
   * @return the id
   * @throws IllegalArgumentException if the length is wrong
   */
  public static OpId of(byte[] bytes) {
    return new OpId(checked(bytes, "OpId"));
  }

  /**
   * Returns a fresh random id.
   *
   * @param random the randomness source
   * @return the id
   */
  public static OpId random(SecureRandom random) {
    return new OpId(randomBytes(random));
  }
}
