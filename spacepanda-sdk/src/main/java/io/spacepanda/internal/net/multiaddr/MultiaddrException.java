package io.spacepanda.internal.net.multiaddr;

import io.spacepanda.SpacePandaException;

/**
 * Thrown for text or bytes that are not a valid multiaddr of a supported protocol.
 *
 * <p>The message is a fixed description of the failure kind; it never echoes the input back.
 */
public final class MultiaddrException extends SpacePandaException {

  /**
   * Creates an exception with a fixed description.
   *
   * @param message what is wrong with the input
   */
  public MultiaddrException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a fixed description and a cause.
   *
   * @param message what is wrong with the input
   * @param cause the underlying failure
   */
  public MultiaddrException(String message, Throwable cause) {
    super(message, cause);
  }
}
