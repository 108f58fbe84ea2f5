package io.spacepanda.spi;

import java.time.Instant;
import java.util.Arrays;

/**
 * One envelope waiting to be sent to one recipient, kept until the recipient acknowledges it.
 *
 * <p>An entry is keyed by (envelopeId, recipient). {@code nextAttemptAt} is the local time at which
 * the entry becomes due (millisecond precision; the constructor truncates); {@code attempts}
 * counts the reschedules so far, which the delivery layer turns into exponential backoff. {@code
 * enqueuedAt} is when the entry was created (millisecond precision): the delivery layer gives a
 * copy up once it is older than its delivery horizon, and resends copies to one recipient in the
 * order of (enqueuedAt, envelopeId). The payload is copied in and out.
 *
 * @param envelopeId the envelope's id
 * @param recipient the recipient's PeerId bytes
 * @param payload the sealed envelope bytes, at most {@value #MAX_PAYLOAD_LENGTH}
 * @param nextAttemptAt when the entry is due next, by the local clock
 * @param attempts how many attempts failed so far, not negative
 * @param enqueuedAt when the entry was created, by the local clock
 */
public record OutboxEntry(
    Id envelopeId, Id recipient, byte[] payload, Instant nextAttemptAt, int attempts,
    Instant enqueuedAt) {

  /** The largest payload an outbox entry may have, in bytes. */
  public static final int MAX_PAYLOAD_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates an outbox entry, checking and copying its parts.
   *
   * @param envelopeId the envelope's id
   * @param recipient the recipient's PeerId bytes
   * @param payload the sealed envelope bytes, at most {@value #MAX_PAYLOAD_LENGTH}
   * @param nextAttemptAt when the entry is due next, by the local clock
   * @param attempts how many attempts failed so far, not negative
   * @param enqueuedAt when the entry was created, by the local clock
   * @throws IllegalArgumentException if a part is null, {@code attempts} is negative or the
   *     payload is too long
   */
  public OutboxEntry {
    Checks.notNull(envelopeId, "envelopeId");
    Checks.notNull(recipient, "recipient");
    payload = Checks.copy(payload, "payload", MAX_PAYLOAD_LENGTH);
    nextAttemptAt = Checks.millis(nextAttemptAt, "nextAttemptAt");
    Checks.nonNegative(attempts, "attempts");
    enqueuedAt = Checks.millis(enqueuedAt, "enqueuedAt");
  }

  /**
   * Creates an outbox entry created at its first attempt time ({@code enqueuedAt =
   * nextAttemptAt}), checking and copying its parts.
   *
   * @param envelopeId the envelope's id
   * @param recipient the recipient's PeerId bytes
   * @param payload the sealed envelope bytes, at most {@value #MAX_PAYLOAD_LENGTH}
   * @param nextAttemptAt when the entry is due next and was created, by the local clock
   * @param attempts how many attempts failed so far, not negative
   * @throws IllegalArgumentException if a part is null, {@code attempts} is negative or the
   *     payload is too long
   */
  public OutboxEntry(
      Id envelopeId, Id recipient, byte[] payload, Instant nextAttemptAt, int attempts) {
    this(envelopeId, recipient, payload, nextAttemptAt, attempts, nextAttemptAt);
  }

  /**
   * Returns a copy of the payload.
   *
   * @return a new array the caller may keep
   */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * Returns whether the other object is an entry with equal parts, comparing payloads by content.
   *
   * @param o the object to compare with
   * @return true if every part is equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof OutboxEntry e
        && envelopeId.equals(e.envelopeId)
        && recipient.equals(e.recipient)
        && Arrays.equals(payload, e.payload)
        && nextAttemptAt.equals(e.nextAttemptAt)
        && attempts == e.attempts
        && enqueuedAt.equals(e.enqueuedAt);
  }

  /**
   * Returns a hash of the key (envelopeId, recipient).
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return 31 * envelopeId.hashCode() + recipient.hashCode();
  }

  /**
   * Returns a description with the payload's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "OutboxEntry[envelope=" + envelopeId + ", recipient=" + recipient + ", payload="
        + payload.length + " bytes, nextAttemptAt=" + nextAttemptAt + ", attempts=" + attempts
        + ", enqueuedAt=" + enqueuedAt + "]";
  }
}
