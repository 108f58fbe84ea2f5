package io.spacepanda.internal.net.yamux;

import io.spacepanda.internal.net.stream.MuxerProtocolException;

/**
 * Reports a Yamux frame or frame sequence that breaks the spec or a local limit; the session
 * answers with a go-away carrying the protocol-error code and closes the connection.
 */
public final class YamuxProtocolException extends MuxerProtocolException {

  /**
   * Creates a violation with a fixed message.
   *
   * @param message which rule was broken, without peer-supplied content
   */
  public YamuxProtocolException(String message) {
    super(message);
  }
}
