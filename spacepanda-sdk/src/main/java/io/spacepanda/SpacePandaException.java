package io.spacepanda;

/**
 * Base type of every checked failure the SpacePanda SDK reports.
 *
 * <p>Subtypes say who is at fault: a misbehaving or malicious peer, local storage, the transport,
 * or the SDK itself. Messages never carry secret material or details a remote peer could use as an
 * oracle; those go to the debug log only.
 */
public class SpacePandaException extends Exception {

  /**
   * Creates an exception with a message.
   *
   * @param message what failed, without secrets
   */
  public SpacePandaException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed, without secrets
   * @param cause the underlying failure
   */
  public SpacePandaException(String message, Throwable cause) {
    super(message, cause);
  }
}
