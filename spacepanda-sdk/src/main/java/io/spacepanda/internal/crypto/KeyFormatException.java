package io.spacepanda.internal.crypto;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when serialized key material (from disk or from a peer) is not a valid encoding.
 *
 * <p>The message is a fixed text and never contains key bytes.
 */
public final class KeyFormatException extends SpacePandaException {

  /**
   * Creates the exception with a fixed description.
   *
   * @param message what was wrong, without key bytes
   */
  public KeyFormatException(String message) {
    super(message);
  }
}
