package io.spacepanda.internal.net.keys;

import io.spacepanda.SpacePandaException;

/**
 * Thrown for bytes that are not a valid libp2p key encoding of a supported key type.
 *
 * <p>The message is a fixed description; it never echoes the input back.
 */
public final class KeyDecodeException extends SpacePandaException {

  /**
   * Creates an exception with a fixed description.
   *
   * @param message what is wrong with the key
   */
  public KeyDecodeException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a fixed description and a cause.
   *
   * @param message what is wrong with the key
   * @param cause the underlying failure
   */
  public KeyDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
