package io.spacepanda.internal.net.autonat;

/** A malformed or oversized AutoNAT message, or a failed probe. */
public final class AutonatException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong
   */
  public AutonatException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong
   * @param cause the cause
   */
  public AutonatException(String message, Throwable cause) {
    super(message, cause);
  }
}
