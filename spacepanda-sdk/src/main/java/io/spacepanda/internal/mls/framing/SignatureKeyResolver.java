package io.spacepanda.internal.mls.framing;

import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.Sender;

/**
 * Finds the public signature key that must have signed a framed message (RFC 9420 §6.1): the
 * member's leaf for a member sender, the external senders extension for an external sender, the
 * Add's KeyPackage for a new-member proposal, the UpdatePath's leaf for a new-member commit.
 */
@FunctionalInterface
public interface SignatureKeyResolver {

  /**
   * Returns the signature key of the message's sender.
   *
   * @param sender the sender as framed
   * @param content the framed content (for new-member senders, whose key is inside it)
   * @return the key, or null when there is no such sender (the message is then rejected)
   */
  byte[] signatureKeyOrNull(Sender sender, FramedContent content);
}
