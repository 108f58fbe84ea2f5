package io.spacepanda.internal.net.transport;

import io.spacepanda.SpacePandaException;

/**
 * A peer sent an envelope-protocol frame that is malformed or exceeds a limit.
 *
 * <p>Messages are fixed texts without peer-supplied content.
 */
public final class EnvelopeFrameException extends SpacePandaException {

  /**
   * Creates the exception.
   *
   * @param message what was wrong with the frame
   */
  public EnvelopeFrameException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong with the frame
   * @param cause the underlying decoding failure
   */
  public EnvelopeFrameException(String message, Throwable cause) {
    super(message, cause);
  }
}
