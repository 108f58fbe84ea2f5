package io.spacepanda.spi;

/**
 * Where a stored message stands in its delivery, as the local node knows it.
 *
 * <p>The state of an own message follows from the {@link RecipientState}s of its recipients:
 * {@link #QUEUED} while no recipient acknowledged, {@link #SENT} once one did and others are still
 * pending, then {@link #DELIVERED} when every recipient acknowledged, or {@link #FAILED} when no
 * copy is pending any more and at least one was given up.
 *
 * <p>Each state has a stable {@link #code()} that durable stores write to disk; codes never change
 * meaning between versions.
 */
public enum DeliveryState {
  /** An own message that is stored and waiting in the outbox. */
  QUEUED(1),
  /** An own message that at least one recipient acknowledged, with copies to others pending. */
  SENT(2),
  /** An own message that every recipient acknowledged. */
  DELIVERED(3),
  /**
   * An own message that could not be delivered to at least one recipient within the delivery
   * horizon; nothing is retried any more.
   */
  FAILED(4),
  /** A message that another member sent and this node received. */
  RECEIVED(5);

  private final int code;

  DeliveryState(int code) {
    this.code = code;
  }

  /**
   * Returns the stable number that durable stores write for this state.
   *
   * @return the code, 1 to 5
   */
  public int code() {
    return code;
  }

  /**
   * Returns the state with the given code.
   *
   * @param code a code written by {@link #code()}
   * @return the state
   * @throws IllegalArgumentException if no state has that code
   */
  public static DeliveryState fromCode(int code) {
    for (DeliveryState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown delivery state code " + code);
  }
}
