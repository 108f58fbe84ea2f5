package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Objects;

/**
 * {@code FramedContentTBS} of RFC 9420 §6.1: what the signature of framed content covers. It is
 * only ever encoded, never decoded.
 */
public final class FramedContentTbs {

  private FramedContentTbs() {}

  /**
   * Encodes the {@code FramedContentTBS} of framed content.
   *
   * @param wireFormat public or private message
   * @param content the framed content
   * @param contextOrNull the group context: required for member and new_member_commit senders,
   *     must be null for external and new_member_proposal senders
   * @return the encoding to pass to SignWithLabel with label "FramedContentTBS"
   * @throws IllegalArgumentException if the context's presence does not match the sender type
   */
  public static byte[] encode(int wireFormat, FramedContent content, GroupContext contextOrNull) {
    Objects.requireNonNull(content, "content");
    SenderType type = content.sender().type();
    boolean needsContext = type == SenderType.MEMBER || type == SenderType.NEW_MEMBER_COMMIT;
    if (needsContext != (contextOrNull != null)) {
      throw new IllegalArgumentException("group context must be given exactly for member and "
          + "new_member_commit senders, sender is " + type);
    }
    if (!WireFormat.isFramed(wireFormat)) {
      throw new IllegalArgumentException("not a framed wire format: " + wireFormat);
    }
    TlsWriter w = new TlsWriter();
    // RFC 9420 §6.1
    w.u16(ProtocolVersion.MLS10).u16(wireFormat);
    content.encode(w);
    if (needsContext) {
      contextOrNull.encode(w);
    }
    return w.toByteArray();
  }
}
