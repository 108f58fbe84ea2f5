package io.spacepanda.internal.net.stream;

/**
 * Reports that the remote peer broke the muxer protocol (malformed frame, unknown stream, window
 * overrun, exceeded limit); the muxer answers by going away and closing the connection.
 */
public class MuxerProtocolException extends StreamException {

  /**
   * Creates a protocol violation with a fixed message.
   *
   * @param message which rule the peer broke, without peer-supplied content
   */
  public MuxerProtocolException(String message) {
    super(message);
  }
}
