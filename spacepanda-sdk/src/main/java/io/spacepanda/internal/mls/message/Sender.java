package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Objects;

/**
 * {@code Sender} of RFC 9420 §6.
 *
 * @param type the sender type
 * @param index the leaf index (member), the sender index (external), otherwise 0
 */
public record Sender(SenderType type, int index) implements TlsEncodable {

  /** Checks the index is non-negative, and 0 for new-member senders. */
  public Sender {
    Objects.requireNonNull(type, "type");
    Codec.checkIndex(index);
    if (index != 0 && (type == SenderType.NEW_MEMBER_COMMIT
        || type == SenderType.NEW_MEMBER_PROPOSAL)) {
      throw new IllegalArgumentException("new-member sender has no index");
    }
  }

  /**
   * A member sender.
   *
   * @param leafIndex its leaf index
   * @return the sender
   */
  public static Sender member(int leafIndex) {
    return new Sender(SenderType.MEMBER, leafIndex);
  }

  /**
   * An external sender.
   *
   * @param senderIndex its index in the external_senders extension
   * @return the sender
   */
  public static Sender external(int senderIndex) {
    return new Sender(SenderType.EXTERNAL, senderIndex);
  }

  /** @return the new_member_proposal sender */
  public static Sender newMemberProposal() {
    return new Sender(SenderType.NEW_MEMBER_PROPOSAL, 0);
  }

  /** @return the new_member_commit sender */
  public static Sender newMemberCommit() {
    return new Sender(SenderType.NEW_MEMBER_COMMIT, 0);
  }

  /**
   * Decodes one {@code Sender} (RFC 9420 §6).
   *
   * @param r the reader
   * @return the sender
   * @throws MlsDecodeException if truncated, of an unknown type, or the index is 2^31 or more
   */
  public static Sender decode(TlsReader r) throws MlsDecodeException {
    SenderType type = SenderType.of(r.u8());
    switch (type) {
      case MEMBER:
      case EXTERNAL:
        return new Sender(type, Codec.index(r));
      default:
        return new Sender(type, 0);
    }
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6
    w.u8(type.value());
    if (type == SenderType.MEMBER || type == SenderType.EXTERNAL) {
      w.u32(index);
    }
  }
}
