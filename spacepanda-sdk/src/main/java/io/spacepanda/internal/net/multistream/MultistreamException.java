package io.spacepanda.internal.net.multistream;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when multistream-select negotiation fails: the peer broke the protocol (bad header,
 * oversized or malformed message, too many proposals), or no proposed protocol was accepted.
 *
 * <p>{@link #kind()} tells the two apart without parsing the message.
 */
public final class MultistreamException extends SpacePandaException {

  /** Why the negotiation failed. */
  public enum Kind {
    /** The peer sent bytes that are not valid multistream-select 1.0. */
    PROTOCOL_VIOLATION,
    /** The responder answered {@code na} to every proposal. */
    NO_COMMON_PROTOCOL,
    /** The initiator made more proposals than the responder allows. */
    TOO_MANY_ATTEMPTS
  }

  private final Kind kind;

  /**
   * Creates an exception.
   *
   * @param kind the failure class
   * @param message a fixed description
   */
  public MultistreamException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /**
   * Returns the failure class.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }
}
