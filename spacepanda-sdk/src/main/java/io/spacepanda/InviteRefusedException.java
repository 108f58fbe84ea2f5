package io.spacepanda;

/**
 * The inviter refused a join request: the invite expired, was used, or is unknown to it.
 *
 * <p>{@link #reason()} says why; the message says the same in words. A code that does not even
 * parse is an {@link InvalidInviteException}, thrown by {@link SpacePanda#join} before anything is
 * sent.
 */
public final class InviteRefusedException extends SpacePandaException {

  /** Why an invite was refused. */
  public enum Reason {
    /** The invite's expiry has passed. */
    EXPIRED,
    /** The invite was already redeemed by someone. */
    ALREADY_USED,
    /** The inviter does not know the invite (wrong secret or another space). */
    UNKNOWN
  }

  /** Why the inviter refused. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the invite was refused
   */
  public InviteRefusedException(Reason reason) {
    super(describe(reason));
    this.reason = reason;
  }

  /**
   * Returns why the invite was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  private static String describe(Reason reason) {
    switch (reason) {
      case EXPIRED:
        return "invite refused: the invite has expired";
      case ALREADY_USED:
        return "invite refused: the invite was already used";
      default:
        return "invite refused: the inviter does not know this invite";
    }
  }
}
