package io.spacepanda.internal.net.dcutr;

/** A malformed DCUtR message or a failed hole punch. */
public final class DcutrException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong
   */
  public DcutrException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong
   * @param cause the cause
   */
  public DcutrException(String message, Throwable cause) {
    super(message, cause);
  }
}
