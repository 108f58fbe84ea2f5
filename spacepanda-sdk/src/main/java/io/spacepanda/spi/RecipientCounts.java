package io.spacepanda.spi;

/**
 * How many recipients of one message are in each {@link RecipientState}: what the delivery layer
 * needs to derive the message's {@link DeliveryState} without reading every recipient's state.
 *
 * @param pending recipients in {@link RecipientState#PENDING}, not negative
 * @param delivered recipients in {@link RecipientState#DELIVERED}, not negative
 * @param failed recipients in {@link RecipientState#FAILED}, not negative
 */
public record RecipientCounts(int pending, int delivered, int failed) {

  /** No recipient state stored. */
  public static final RecipientCounts NONE = new RecipientCounts(0, 0, 0);

  /**
   * Creates counts, checking them.
   *
   * @param pending recipients in {@link RecipientState#PENDING}, not negative
   * @param delivered recipients in {@link RecipientState#DELIVERED}, not negative
   * @param failed recipients in {@link RecipientState#FAILED}, not negative
   * @throws IllegalArgumentException if a count is negative
   */
  public RecipientCounts {
    Checks.nonNegative(pending, "pending");
    Checks.nonNegative(delivered, "delivered");
    Checks.nonNegative(failed, "failed");
  }

  /**
   * Returns the number of recipients with a stored state.
   *
   * @return pending + delivered + failed
   */
  public int total() {
    return pending + delivered + failed;
  }

  /**
   * Counts states.
   *
   * @param states the states of a message's recipients
   * @return the counts
   * @throws IllegalArgumentException if a state is null
   */
  public static RecipientCounts of(Iterable<RecipientState> states) {
    int p = 0;
    int d = 0;
    int f = 0;
    for (RecipientState s : states) {
      Checks.notNull(s, "state");
      switch (s) {
        case PENDING -> p++;
        case DELIVERED -> d++;
        case FAILED -> f++;
      }
    }
    return new RecipientCounts(p, d, f);
  }
}
