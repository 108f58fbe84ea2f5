package io.spacepanda.internal.node;

import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.StoredMessage;

/** Turns stored messages into the API's {@link Message}. */
final class Messages {

  private Messages() {}

  /**
   * @param channelId the channel the message belongs to
   * @param m the stored row
   * @return the API view; its body is a copy
   */
  static Message view(Id channelId, StoredMessage m) {
    return new Message(MessageId.of(m.messageId().toBytes()), channelId.toString(),
        PeerId.fromBytes(m.senderPeerId().toBytes()), m.lamport(), m.senderSequence(),
        m.contentType(), m.body(), m.receivedAt(), m.deliveryState());
  }
}
