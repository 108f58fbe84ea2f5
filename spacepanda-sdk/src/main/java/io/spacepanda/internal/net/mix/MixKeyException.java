package io.spacepanda.internal.net.mix;

/**
 * A signed mix key record ({@link MixKeyRecord}) that a sender refuses, with why. Thrown without a
 * stack trace: records come from the network and a bad one is routine.
 */
public final class MixKeyException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a record is refused. */
  public enum Reason {
    /** Not {@link MixKeyRecord#LENGTH} bytes, an unknown version, or a field out of range. */
    MALFORMED,
    /** The signature is all zero bytes: the record was never signed. */
    UNSIGNED,
    /** The signature does not verify under the owner's identity key (forged or for another peer). */
    BAD_SIGNATURE,
    /** The owner's peer id carries no Ed25519 key to check a signature with. */
    NO_IDENTITY_KEY,
    /** The record starts later than the sender's clock allows for skew. */
    NOT_YET_VALID,
    /** The record ends before a packet built now would have crossed the mixnet. */
    EXPIRED
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the record is refused
   */
  public MixKeyException(Reason reason) {
    super(reason.name(), null, false, false);
    this.reason = reason;
  }

  /**
   * Returns why the record is refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
