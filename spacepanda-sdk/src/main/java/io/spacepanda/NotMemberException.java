package io.spacepanda;

/**
 * This node is not (or no longer) a member of the space or channel an operation needs.
 *
 * <p>Thrown, or used to fail a future, by operations that need membership: sending, reading
 * members, changing the group. A {@link Space} or {@link Channel} still answers its identity
 * ({@code id()}, {@code name()}, {@code space()}) after this node left or was removed. It extends
 * {@link IllegalStateException}, the type such calls failed with before it existed.
 */
public class NotMemberException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which space or channel, without secrets
   */
  public NotMemberException(String message) {
    super(message);
  }
}
