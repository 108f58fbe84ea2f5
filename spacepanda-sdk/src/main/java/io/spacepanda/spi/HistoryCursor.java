package io.spacepanda.spi;

import java.util.Comparator;

/**
 * A position in a channel's display order: (Lamport clock, sender PeerId, sender sequence).
 *
 * <p>Every member displays a channel's messages sorted by this triple, Lamport first, then the
 * sender's PeerId bytes (unsigned), then the sender's own sequence number. A cursor taken from a
 * message with {@link StoredMessage#cursor()} pages backwards through history with {@link
 * StorageTransaction#history}.
 *
 * @param lamport the Lamport clock, not negative
 * @param senderPeerId the sender's PeerId bytes
 * @param senderSequence the sender's sequence number, not negative
 */
public record HistoryCursor(long lamport, Id senderPeerId, long senderSequence)
    implements Comparable<HistoryCursor> {

  private static final Comparator<HistoryCursor> ORDER =
      Comparator.comparingLong(HistoryCursor::lamport)
          .thenComparing(HistoryCursor::senderPeerId)
          .thenComparingLong(HistoryCursor::senderSequence);

  /**
   * Creates a cursor, checking its parts.
   *
   * @param lamport the Lamport clock, not negative
   * @param senderPeerId the sender's PeerId bytes
   * @param senderSequence the sender's sequence number, not negative
   * @throws IllegalArgumentException if {@code senderPeerId} is null or a number is negative
   */
  public HistoryCursor {
    Checks.nonNegative(lamport, "lamport");
    Checks.notNull(senderPeerId, "senderPeerId");
    Checks.nonNegative(senderSequence, "senderSequence");
  }

  /**
   * Compares two cursors in display order.
   *
   * @param other the cursor to compare with
   * @return negative, zero or positive as this cursor sorts before, equal to or after {@code other}
   */
  @Override
  public int compareTo(HistoryCursor other) {
    return ORDER.compare(this, other);
  }
}
