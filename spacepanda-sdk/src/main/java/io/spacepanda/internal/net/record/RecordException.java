package io.spacepanda.internal.net.record;

/**
 * Reports a signed envelope or peer record that is malformed, exceeds a limit, carries a bad
 * signature, or names another peer than the key that signed it.
 */
public final class RecordException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates a failure with a fixed message.
   *
   * @param message what was wrong, without peer-supplied content
   */
  public RecordException(String message) {
    super(message);
  }

  /**
   * Creates a failure with a fixed message and a cause.
   *
   * @param message what was wrong, without peer-supplied content
   * @param cause the underlying failure
   */
  public RecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
