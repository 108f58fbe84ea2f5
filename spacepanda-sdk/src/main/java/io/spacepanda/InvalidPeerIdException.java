package io.spacepanda;

/**
 * Thrown when text or bytes handed to {@link PeerId} are not a valid libp2p peer id.
 *
 * <p>It is an {@link IllegalArgumentException}: a bad peer id is a caller's input error, not a
 * failure of the node. The message names the rejected value (shortened) and the reason.
 */
public final class InvalidPeerIdException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the reason, naming the rejected value
   */
  public InvalidPeerIdException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the decoding failure that caused it.
   *
   * @param message the reason, naming the rejected value
   * @param cause the decoding failure
   */
  public InvalidPeerIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
