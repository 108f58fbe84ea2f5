package io.spacepanda.internal.net.stream;

/**
 * Reports an operation on a stream or muxer that is already closed for it: a write after {@code
 * closeWrite()}, an open after go-away, or anything after the connection closed.
 */
public class StreamClosedException extends StreamException {

  /**
   * Creates a closed-state failure with a fixed message.
   *
   * @param message what was closed
   */
  public StreamClosedException(String message) {
    super(message);
  }

  /**
   * Creates a closed-state failure with a fixed message and a cause.
   *
   * @param message what was closed
   * @param cause why it was closed
   */
  public StreamClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
