package io.spacepanda;

/**
 * Thrown when an invite code is malformed, mistyped (its checksum does not match), of an unknown
 * version, or carries a value out of bounds.
 *
 * <p>It is an {@link IllegalArgumentException}: a bad invite code is the caller's input error,
 * found before anything is sent. The message says what is wrong but never repeats the code, since
 * the code holds the invite's secret. An invite that parses but has expired, or that the inviter
 * refuses, is reported otherwise (when joining).
 */
public final class InvalidInviteException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the code, without the code itself
   */
  public InvalidInviteException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the decoding failure that caused it.
   *
   * @param message what is wrong with the code, without the code itself
   * @param cause the decoding failure
   */
  public InvalidInviteException(String message, Throwable cause) {
    super(message, cause);
  }
}
