package io.spacepanda.spi;

import java.time.Instant;
import java.util.Arrays;

/**
 * A received envelope whose tag matched no key the node holds yet, kept to be tried again.
 *
 * <p>Jitter lets a message of the next epoch arrive before the commit that starts it; such an
 * envelope waits here and is retried after every epoch change. The store is bounded by {@link
 * StorageTransaction#prunePendingEnvelopes}. {@code receivedAt} has millisecond precision (the
 * constructor truncates). The envelope bytes are copied in and out.
 *
 * @param envelopeId the envelope's id (for example a hash of its bytes)
 * @param envelope the envelope bytes as received, at most {@value #MAX_ENVELOPE_LENGTH}
 * @param receivedAt when this node received it, by its own clock
 */
public record PendingEnvelope(Id envelopeId, byte[] envelope, Instant receivedAt) {

  /** The largest envelope the pending store accepts, in bytes. */
  public static final int MAX_ENVELOPE_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates a pending envelope, checking and copying its parts.
   *
   * @param envelopeId the envelope's id (for example a hash of its bytes)
   * @param envelope the envelope bytes as received, at most {@value #MAX_ENVELOPE_LENGTH}
   * @param receivedAt when this node received it, by its own clock
   * @throws IllegalArgumentException if a part is null or the envelope is too long
   */
  public PendingEnvelope {
    Checks.notNull(envelopeId, "envelopeId");
    envelope = Checks.copy(envelope, "envelope", MAX_ENVELOPE_LENGTH);
    receivedAt = Checks.millis(receivedAt, "receivedAt");
  }

  /**
   * Returns a copy of the envelope bytes.
   *
   * @return a new array the caller may keep
   */
  @Override
  public byte[] envelope() {
    return envelope.clone();
  }

  /**
   * Returns whether the other object is a pending envelope with equal parts.
   *
   * @param o the object to compare with
   * @return true if every part is equal, the bytes by content
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof PendingEnvelope p
        && envelopeId.equals(p.envelopeId)
        && Arrays.equals(envelope, p.envelope)
        && receivedAt.equals(p.receivedAt);
  }

  /**
   * Returns a hash of the envelope id.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return envelopeId.hashCode();
  }

  /**
   * Returns a description with the envelope's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "PendingEnvelope[id=" + envelopeId + ", envelope=" + envelope.length
        + " bytes, receivedAt=" + receivedAt + "]";
  }
}
