package io.spacepanda.spi;

import io.spacepanda.SpacePandaException;

/** A transport could not listen, reach a peer, or deliver an envelope. */
public class TransportException extends SpacePandaException {

  /**
   * @param message what failed
   */
  public TransportException(String message) {
    super(message);
  }

  /**
   * @param message what failed
   * @param cause the underlying failure
   */
  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
