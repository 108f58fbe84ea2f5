package io.spacepanda.spi;

import java.time.Instant;
import java.util.Arrays;

/**
 * A channel message as the node keeps it: decrypted content with its ordering fields.
 *
 * <p>The {@code messageId} (a hash of the MLS ciphertext, {@value #MESSAGE_ID_LENGTH} bytes) is
 * unique in a store: {@link StorageTransaction#insertMessage} of a known id changes nothing. The
 * {@code receivedAt} time is the local node's own clock, never a sender's; stores keep it with
 * millisecond precision, so the constructor truncates it. The body is copied in and out.
 *
 * @param messageId the message id, exactly {@value #MESSAGE_ID_LENGTH} bytes
 * @param channelId the channel the message belongs to
 * @param senderPeerId the sender's PeerId bytes
 * @param lamport the channel's Lamport clock carried by the message, not negative
 * @param senderSequence the sender's own sequence number, not negative
 * @param contentType the application content type code, not negative
 * @param body the content, at most {@value #MAX_BODY_LENGTH} bytes
 * @param receivedAt when this node stored or received the message, by its own clock
 * @param deliveryState where the message stands in its delivery
 */
public record StoredMessage(
    Id messageId,
    Id channelId,
    Id senderPeerId,
    long lamport,
    long senderSequence,
    int contentType,
    byte[] body,
    Instant receivedAt,
    DeliveryState deliveryState) {

  /** The length of a message id in bytes. */
  public static final int MESSAGE_ID_LENGTH = 32;

  /** The largest body a stored message may have, in bytes. */
  public static final int MAX_BODY_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates a message record, checking and copying its parts.
   *
   * @param messageId the message id, exactly {@value #MESSAGE_ID_LENGTH} bytes
   * @param channelId the channel the message belongs to
   * @param senderPeerId the sender's PeerId bytes
   * @param lamport the channel's Lamport clock carried by the message, not negative
   * @param senderSequence the sender's own sequence number, not negative
   * @param contentType the application content type code, not negative
   * @param body the content, at most {@value #MAX_BODY_LENGTH} bytes
   * @param receivedAt when this node stored or received the message, by its own clock
   * @param deliveryState where the message stands in its delivery
   * @throws IllegalArgumentException if a part is null, a number is negative, the message id is
   *     not {@value #MESSAGE_ID_LENGTH} bytes, or the body is too long
   */
  public StoredMessage {
    Checks.notNull(messageId, "messageId");
    if (messageId.length() != MESSAGE_ID_LENGTH) {
      throw new IllegalArgumentException(
          "messageId must be " + MESSAGE_ID_LENGTH + " bytes, was " + messageId.length());
    }
    Checks.notNull(channelId, "channelId");
    Checks.notNull(senderPeerId, "senderPeerId");
    Checks.nonNegative(lamport, "lamport");
    Checks.nonNegative(senderSequence, "senderSequence");
    Checks.nonNegative(contentType, "contentType");
    body = Checks.copy(body, "body", MAX_BODY_LENGTH);
    receivedAt = Checks.millis(receivedAt, "receivedAt");
    Checks.notNull(deliveryState, "deliveryState");
  }

  /**
   * Returns a copy of the message body.
   *
   * @return a new array the caller may keep
   */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /**
   * Returns this message's position in the channel's display order.
   *
   * @return the cursor (lamport, senderPeerId, senderSequence)
   */
  public HistoryCursor cursor() {
    return new HistoryCursor(lamport, senderPeerId, senderSequence);
  }

  /**
   * Returns a copy of this message with another delivery state.
   *
   * @param state the new state
   * @return the changed copy
   * @throws IllegalArgumentException if {@code state} is null
   */
  public StoredMessage withDeliveryState(DeliveryState state) {
    return new StoredMessage(
        messageId, channelId, senderPeerId, lamport, senderSequence, contentType, body, receivedAt,
        state);
  }

  /**
   * Returns whether the other object is a message with equal parts, comparing the body by content.
   *
   * @param o the object to compare with
   * @return true if every part is equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof StoredMessage m
        && messageId.equals(m.messageId)
        && channelId.equals(m.channelId)
        && senderPeerId.equals(m.senderPeerId)
        && lamport == m.lamport
        && senderSequence == m.senderSequence
        && contentType == m.contentType
        && Arrays.equals(body, m.body)
        && receivedAt.equals(m.receivedAt)
        && deliveryState == m.deliveryState;
  }

  /**
   * Returns a hash of the message id.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return messageId.hashCode();
  }

  /**
   * Returns a description with ids and ordering fields, and the body's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "StoredMessage[id=" + messageId + ", channel=" + channelId + ", sender=" + senderPeerId
        + ", lamport=" + lamport + ", seq=" + senderSequence + ", type=" + contentType
        + ", body=" + body.length + " bytes, receivedAt=" + receivedAt + ", state="
        + deliveryState + "]";
  }
}
