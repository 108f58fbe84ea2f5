package io.spacepanda.internal.space;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when bytes of a space operation, join request or join response are not a valid encoding:
 * truncated, trailing bytes, unknown version or type, or a value out of bounds.
 *
 * <p>These messages arrive authenticated (inside MLS or a sealed direct envelope), so the message
 * may say what was wrong, for the debug log; it never carries secret material. A peer's bad bytes
 * are dropped and counted, never applied.
 */
public final class SpaceDecodeException extends SpacePandaException {

  /**
   * Creates the exception.
   *
   * @param message what was wrong with the bytes
   */
  public SpaceDecodeException(String message) {
    super(message);
  }
}
