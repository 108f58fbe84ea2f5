package io.spacepanda.spi;

import java.time.Instant;
import java.util.Arrays;

/**
 * A sealed envelope this node keeps for another member that was unreachable when a third member
 * sent it (a mailbox), to push to it when it connects.
 *
 * <p>The node never opens it: it is sealed to the recipient (a group envelope of a group the
 * holder may not be in, or a direct envelope to the recipient's inbox key). {@code depositedAt}
 * has millisecond precision (the constructor truncates). The envelope bytes are copied in and out.
 *
 * @param recipient the recipient's PeerId bytes as an {@link Id}
 * @param envelopeId the envelope's id (the SHA-256 of its bytes)
 * @param spaceId the space depositor, holder and recipient share
 * @param envelope the sealed envelope, at most {@value #MAX_ENVELOPE_LENGTH} bytes
 * @param depositedAt when this node received it, by its own clock
 */
public record MailboxEnvelope(Id recipient, Id envelopeId, Id spaceId, byte[] envelope,
    Instant depositedAt) {

  /** The largest envelope a mailbox accepts, in bytes. */
  public static final int MAX_ENVELOPE_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates a mailbox envelope, checking and copying its parts.
   *
   * @param recipient the recipient's PeerId bytes as an {@link Id}
   * @param envelopeId the envelope's id
   * @param spaceId the space
   * @param envelope the sealed envelope, at most {@value #MAX_ENVELOPE_LENGTH} bytes
   * @param depositedAt when this node received it
   * @throws IllegalArgumentException if a part is null or the envelope is too long
   */
  public MailboxEnvelope {
    Checks.notNull(recipient, "recipient");
    Checks.notNull(envelopeId, "envelopeId");
    Checks.notNull(spaceId, "spaceId");
    envelope = Checks.copy(envelope, "envelope", MAX_ENVELOPE_LENGTH);
    depositedAt = Checks.millis(depositedAt, "depositedAt");
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
   * Returns whether the other object is a mailbox envelope with equal parts.
   *
   * @param o the object to compare with
   * @return true if every part is equal, the bytes by content
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MailboxEnvelope e
        && recipient.equals(e.recipient)
        && envelopeId.equals(e.envelopeId)
        && spaceId.equals(e.spaceId)
        && Arrays.equals(envelope, e.envelope)
        && depositedAt.equals(e.depositedAt);
  }

  /**
   * Returns a hash of the address (recipient, envelope id).
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return recipient.hashCode() * 31 + envelopeId.hashCode();
  }

  /**
   * Returns a description with the envelope's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "MailboxEnvelope[recipient=" + recipient + ", envelopeId=" + envelopeId + ", space="
        + spaceId + ", envelope=" + envelope.length + " bytes, depositedAt=" + depositedAt + "]";
  }
}
