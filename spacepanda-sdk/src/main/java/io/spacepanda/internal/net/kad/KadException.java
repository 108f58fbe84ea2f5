package io.spacepanda.internal.net.kad;

/** Reports a malformed or oversized DHT message, a record that fails validation, or a failed RPC. */
public final class KadException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates a failure with a fixed message.
   *
   * @param message what was wrong, without peer-supplied content
   */
  public KadException(String message) {
    super(message);
  }

  /**
   * Creates a failure with a fixed message and a cause.
   *
   * @param message what was wrong, without peer-supplied content
   * @param cause the underlying failure
   */
  public KadException(String message, Throwable cause) {
    super(message, cause);
  }
}
