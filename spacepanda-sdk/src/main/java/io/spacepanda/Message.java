package io.spacepanda;

import io.spacepanda.spi.DeliveryState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One message of a channel as this node knows it: who sent it, where it sorts, its body, when this
 * node received it and how far its delivery got.
 *
 * <p>Display order, identical on every member, is ({@link #lamport()}, {@link #sender()}, {@link
 * #senderSequence()}). No wall-clock time of the sender is carried: {@link #receivedAt()} is this
 * node's own clock. Immutable; {@link #body()} returns a copy.
 */
public final class Message {

  /** The content type of UTF-8 text sent with {@link Channel#send(String)}. */
  public static final int TEXT = 1;

  private final MessageId id;
  private final String channelId;
  private final PeerId sender;
  private final long lamport;
  private final long senderSequence;
  private final int contentType;
  private final byte[] body;
  private final Instant receivedAt;
  private final DeliveryState deliveryState;

  /**
   * Creates a message view; the SDK calls this, applications receive instances.
   *
   * @param id the message id
   * @param channelId the channel's id as {@link Channel#id()} shows it
   * @param sender the sender
   * @param lamport the channel's Lamport clock carried by the message
   * @param senderSequence the sender's own sequence number in the channel
   * @param contentType the content type code
   * @param body the body; copied
   * @param receivedAt when this node stored the message, by its own clock
   * @param deliveryState how far the delivery got
   */
  public Message(MessageId id, String channelId, PeerId sender, long lamport, long senderSequence,
      int contentType, byte[] body, Instant receivedAt, DeliveryState deliveryState) {
    this.id = Objects.requireNonNull(id, "id");
    this.channelId = Objects.requireNonNull(channelId, "channelId");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.lamport = lamport;
    this.senderSequence = senderSequence;
    this.contentType = contentType;
    this.body = Objects.requireNonNull(body, "body").clone();
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    this.deliveryState = Objects.requireNonNull(deliveryState, "deliveryState");
  }

  /**
   * Returns the message id.
   *
   * @return the id, the same on every member
   */
  public MessageId id() {
    return id;
  }

  /**
   * Returns the id of the channel the message belongs to.
   *
   * @return the channel id
   */
  public String channelId() {
    return channelId;
  }

  /**
   * Returns the sender, as authenticated by MLS.
   *
   * @return the sender's peer id
   */
  public PeerId sender() {
    return sender;
  }

  /**
   * Returns the channel's Lamport clock carried by the message.
   *
   * @return the Lamport clock
   */
  public long lamport() {
    return lamport;
  }

  /**
   * Returns the sender's own sequence number of the message in its channel.
   *
   * @return the sequence number, starting at 0
   */
  public long senderSequence() {
    return senderSequence;
  }

  /**
   * Returns the content type code ({@link #TEXT} for text).
   *
   * @return the content type
   */
  public int contentType() {
    return contentType;
  }

  /**
   * Returns the body.
   *
   * @return a copy the caller may keep
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * Returns the body decoded as UTF-8 text, whatever its content type.
   *
   * @return the text
   */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Returns when this node stored the message, by its own clock.
   *
   * @return the local receive (or send) time
   */
  public Instant receivedAt() {
    return receivedAt;
  }

  /**
   * Returns how far the delivery of the message got when this view was made.
   *
   * @return {@link DeliveryState#RECEIVED} for others' messages; for own ones the progress
   */
  public DeliveryState deliveryState() {
    return deliveryState;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m && m.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Message[id=" + id + ", sender=" + sender + ", lamport=" + lamport + ", seq="
        + senderSequence + ", contentType=" + contentType + ", length=" + body.length + ", state="
        + deliveryState + "]";
  }
}
