package io.spacepanda.internal.net.identify;

import io.spacepanda.internal.net.stream.StreamException;

/**
 * Reports identify data the peer sent that is malformed or exceeds a limit, or an identify
 * exchange that ended before a complete message arrived.
 */
public final class IdentifyException extends StreamException {

  /**
   * Creates an identify failure with a fixed message.
   *
   * @param message what was wrong, without peer-supplied content
   */
  public IdentifyException(String message) {
    super(message);
  }

  /**
   * Creates an identify failure with a fixed message and a cause.
   *
   * @param message what was wrong, without peer-supplied content
   * @param cause the underlying failure
   */
  public IdentifyException(String message, Throwable cause) {
    super(message, cause);
  }
}
