package io.spacepanda;

/**
 * The inviter or a fallback admin refused a join request: the invite expired, was used, is
 * unknown to it, or was signed by someone who is not (or no longer) a manager of the space.
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
    UNKNOWN,
    /**
     * The invite is signed by a peer that is not an owner or admin of the space when a fallback
     * admin checks it: a forged invite, or one whose issuer was demoted, removed or left since,
     * which revokes the invites it made that were not used yet.
     */
    INVITER_NOT_MANAGER
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
      case INVITER_NOT_MANAGER:
        return "invite refused: whoever signed the invite is not an owner or admin of the space";
      default:
        return "invite refused: the inviter does not know this invite";
    }
  }
}
