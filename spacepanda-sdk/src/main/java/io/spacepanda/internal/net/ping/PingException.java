package io.spacepanda.internal.net.ping;

import io.spacepanda.internal.net.stream.StreamException;

/**
 * Reports a ping that failed: the echo differed from what was sent, or the stream ended first.
 */
public final class PingException extends StreamException {

  /**
   * Creates a ping failure with a fixed message.
   *
   * @param message what went wrong
   */
  public PingException(String message) {
    super(message);
  }

  /**
   * Creates a ping failure with a fixed message and a cause.
   *
   * @param message what went wrong
   * @param cause the stream failure behind it
   */
  public PingException(String message, Throwable cause) {
    super(message, cause);
  }
}
