package io.spacepanda;

/**
 * A join got no answer from the inviter before its deadline: the invite's expiry, or the node's
 * {@linkplain SpacePanda.Builder#joinTimeout join timeout} if that came first.
 *
 * <p>The join request is withdrawn from the outbox. The inviter may still have admitted this node
 * if its answer was on the way; ask for a new invite and join again.
 */
public final class JoinTimeoutException extends SpacePandaException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what timed out, without secrets
   */
  public JoinTimeoutException(String message) {
    super(message);
  }
}
