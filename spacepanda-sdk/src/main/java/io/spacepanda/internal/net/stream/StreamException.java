package io.spacepanda.internal.net.stream;

import io.spacepanda.SpacePandaException;

/**
 * Base type of every failure of a multiplexed stream or of its muxer.
 *
 * <p>Subtypes say what happened: the stream was reset, the stream or connection is closed, or the
 * remote peer broke the muxer protocol. Messages are fixed texts without peer-supplied content.
 */
public class StreamException extends SpacePandaException {

  /**
   * Creates a stream failure with a fixed message.
   *
   * @param message what failed
   */
  public StreamException(String message) {
    super(message);
  }

  /**
   * Creates a stream failure with a fixed message and a cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public StreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
