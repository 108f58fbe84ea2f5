package io.spacepanda.spi;

/**
 * Where the copy of one of this node's messages to one recipient stands, as the local node knows
 * it.
 *
 * <p>The node writes {@link #PENDING} for every recipient in the transaction that stores the
 * message, and moves each recipient to {@link #DELIVERED} or {@link #FAILED} in the transaction
 * that removes its outbox entry; the message's {@link DeliveryState} is derived from these states.
 * Each state has a stable {@link #code()} that durable stores write to disk; codes never change
 * meaning between versions.
 */
public enum RecipientState {
  /** The copy is in the outbox: not acknowledged yet, still retried. */
  PENDING(1),
  /** The recipient acknowledged the copy. */
  DELIVERED(2),
  /** The copy was given up: the recipient was not reached within the delivery horizon. */
  FAILED(3);

  private final int code;

  RecipientState(int code) {
    this.code = code;
  }

  /**
   * Returns the stable number that durable stores write for this state.
   *
   * @return the code, 1 to 3
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
  public static RecipientState fromCode(int code) {
    for (RecipientState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown recipient state code " + code);
  }

  /**
   * Returns whether the state is final: the copy left the outbox and will not change again.
   *
   * @return true for {@link #DELIVERED} and {@link #FAILED}
   */
  public boolean isFinal() {
    return this != PENDING;
  }
}
