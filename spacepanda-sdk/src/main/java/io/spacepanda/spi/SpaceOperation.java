package io.spacepanda.spi;

import java.util.Arrays;

/**
 * One entry of a space's metadata operations log (channel created or renamed, role changed, member
 * joined or left), in the encoding the space layer chose.
 *
 * <p>Operations are unique by {@code operationId} and listed in the order (lamport, authorPeerId,
 * operationId), the order in which the space layer merges them. The payload is copied in and out.
 *
 * @param operationId the operation's id
 * @param spaceId the space it belongs to
 * @param lamport the space's Lamport clock carried by the operation, not negative
 * @param authorPeerId the author's PeerId bytes
 * @param payload the encoded operation, at most {@value #MAX_PAYLOAD_LENGTH} bytes
 */
public record SpaceOperation(
    Id operationId, Id spaceId, long lamport, Id authorPeerId, byte[] payload) {

  /** The largest payload an operation may have, in bytes. */
  public static final int MAX_PAYLOAD_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates an operation record, checking and copying its parts.
   *
   * @param operationId the operation's id
   * @param spaceId the space it belongs to
   * @param lamport the space's Lamport clock carried by the operation, not negative
   * @param authorPeerId the author's PeerId bytes
   * @param payload the encoded operation, at most {@value #MAX_PAYLOAD_LENGTH} bytes
   * @throws IllegalArgumentException if a part is null, {@code lamport} is negative or the
   *     payload is too long
   */
  public SpaceOperation {
    Checks.notNull(operationId, "operationId");
    Checks.notNull(spaceId, "spaceId");
    Checks.nonNegative(lamport, "lamport");
    Checks.notNull(authorPeerId, "authorPeerId");
    payload = Checks.copy(payload, "payload", MAX_PAYLOAD_LENGTH);
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
   * Returns whether the other object is an operation with equal parts.
   *
   * @param o the object to compare with
   * @return true if every part is equal, the payload by content
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SpaceOperation op
        && operationId.equals(op.operationId)
        && spaceId.equals(op.spaceId)
        && lamport == op.lamport
        && authorPeerId.equals(op.authorPeerId)
        && Arrays.equals(payload, op.payload);
  }

  /**
   * Returns a hash of the operation id.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return operationId.hashCode();
  }

  /**
   * Returns a description with the payload's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "SpaceOperation[id=" + operationId + ", space=" + spaceId + ", lamport=" + lamport
        + ", author=" + authorPeerId + ", payload=" + payload.length + " bytes]";
  }
}
