package io.spacepanda.internal.net.mix;

/**
 * A packet a mix node drops, with why. Thrown without a stack trace: drops are routine and must
 * stay cheap (issue 16: malformed, replayed and tagged packets are dropped at bounded cost).
 */
public final class MixException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a packet was dropped. */
  public enum Reason {
    /** Not {@link Sphinx#PACKET_LENGTH} bytes, or a field that does not parse. */
    MALFORMED,
    /** α is a low-order point: the shared secret would be zero. */
    WEAK_KEY,
    /** The header MAC γ matches none of the node's keys (corrupt, or for a retired key). */
    BAD_MAC,
    /** The packet's tag was seen before under the same key. */
    REPLAY,
    /** The payload MAC failed at the last hop: the payload was modified on the way. */
    TAGGED,
    /** The key's replay cache is full and the key must rotate first. */
    KEY_EXHAUSTED,
    /** A reply for a single-use reply block this node does not hold (unknown or used). */
    UNKNOWN_SURB
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the packet was dropped
   */
  public MixException(Reason reason) {
    super(reason.name(), null, false, false);
    this.reason = reason;
  }

  /**
   * Returns why the packet was dropped.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
