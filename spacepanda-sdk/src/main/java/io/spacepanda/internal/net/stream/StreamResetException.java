package io.spacepanda.internal.net.stream;

/**
 * Reports that a stream was reset, by the remote peer or locally, and lost any data in flight.
 */
public class StreamResetException extends StreamException {

  /**
   * Creates a reset failure with a fixed message.
   *
   * @param message who reset the stream and why
   */
  public StreamResetException(String message) {
    super(message);
  }
}
