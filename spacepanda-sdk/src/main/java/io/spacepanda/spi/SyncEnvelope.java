package io.spacepanda.spi;

import java.util.Arrays;

/**
 * A channel application message kept for sync: the MLS message as it was sent, addressed by its
 * channel, its sender and the sender's own sequence number in that channel.
 *
 * <p>The MLS message is still encrypted (an MLS PrivateMessage): a member that did not receive it
 * can decrypt it once, as long as its epoch is within that member's past-epoch retention. The
 * store keeps it encrypted at rest like other blobs. The bytes are copied in and out. An empty MLS
 * message is a tombstone: pruning deleted it and those before it (see {@link
 * StorageTransaction#pruneSyncEnvelopes}).
 *
 * @param channelId the channel (MLS group) id
 * @param sender the sender's PeerId bytes as an {@link Id}
 * @param sequence the sender's own sequence number in the channel, not negative
 * @param epoch the MLS epoch the message was sent in, not negative
 * @param mlsMessage the encoded MLS message, at most {@value #MAX_MESSAGE_LENGTH} bytes
 */
public record SyncEnvelope(Id channelId, Id sender, long sequence, long epoch,
    byte[] mlsMessage) {

  /** The largest MLS message the sync store accepts, in bytes. */
  public static final int MAX_MESSAGE_LENGTH = Checks.MAX_PAYLOAD;

  /**
   * Creates a sync envelope, checking and copying its parts.
   *
   * @param channelId the channel (MLS group) id
   * @param sender the sender's PeerId bytes as an {@link Id}
   * @param sequence the sender's own sequence number in the channel, not negative
   * @param epoch the MLS epoch the message was sent in, not negative
   * @param mlsMessage the encoded MLS message, at most {@value #MAX_MESSAGE_LENGTH} bytes
   * @throws IllegalArgumentException if a part is null, negative or too long
   */
  public SyncEnvelope {
    Checks.notNull(channelId, "channelId");
    Checks.notNull(sender, "sender");
    Checks.nonNegative(sequence, "sequence");
    Checks.nonNegative(epoch, "epoch");
    mlsMessage = Checks.copy(mlsMessage, "mlsMessage", MAX_MESSAGE_LENGTH);
  }

  /**
   * Returns a copy of the MLS message bytes.
   *
   * @return a new array the caller may keep
   */
  @Override
  public byte[] mlsMessage() {
    return mlsMessage.clone();
  }

  /**
   * Returns the length of the MLS message without copying it; 0 for a tombstone that {@link
   * StorageTransaction#pruneSyncEnvelopes} left.
   *
   * @return the length in bytes
   */
  public int mlsMessageLength() {
    return mlsMessage.length;
  }

  /**
   * Returns whether the other object is a sync envelope with equal parts.
   *
   * @param o the object to compare with
   * @return true if every part is equal, the bytes by content
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SyncEnvelope e
        && channelId.equals(e.channelId)
        && sender.equals(e.sender)
        && sequence == e.sequence
        && epoch == e.epoch
        && Arrays.equals(mlsMessage, e.mlsMessage);
  }

  /**
   * Returns a hash of the address (channel, sender, sequence).
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return (channelId.hashCode() * 31 + sender.hashCode()) * 31 + Long.hashCode(sequence);
  }

  /**
   * Returns a description with the message's length instead of its bytes.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "SyncEnvelope[channel=" + channelId + ", sender=" + sender + ", sequence=" + sequence
        + ", epoch=" + epoch + ", mlsMessage=" + mlsMessage.length + " bytes]";
  }
}
