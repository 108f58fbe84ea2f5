package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code PublicMessage} of RFC 9420 §6.2: signed but unencrypted framed content, with a
 * membership tag when the sender is a member.
 *
 * @param content the framed content
 * @param auth its auth data (confirmation tag for commits)
 * @param membershipTag MAC over the AuthenticatedContent (member senders only, else null)
 */
public record PublicMessage(FramedContent content, FramedContentAuthData auth,
    byte[] membershipTag) implements TlsEncodable {

  /** Checks presence and that the optional parts match content and sender types. */
  public PublicMessage {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(auth, "auth");
    if ((auth.confirmationTag() != null) != (content.contentType() == ContentType.COMMIT)) {
      throw new IllegalArgumentException("confirmation tag must be present exactly for commits");
    }
    if ((membershipTag != null) != (content.sender().type() == SenderType.MEMBER)) {
      throw new IllegalArgumentException("membership tag must be present exactly for members");
    }
  }

  /**
   * Decodes one {@code PublicMessage} (RFC 9420 §6.2).
   *
   * @param r the reader
   * @return the message
   * @throws MlsDecodeException if malformed or oversized
   */
  public static PublicMessage decode(TlsReader r) throws MlsDecodeException {
    FramedContent content = FramedContent.decode(r);
    FramedContentAuthData auth = FramedContentAuthData.decode(r, content.contentType());
    byte[] tag = content.sender().type() == SenderType.MEMBER
        ? r.opaque(MlsConstants.MAX_HASH_SIZE) : null;
    return new PublicMessage(content, auth, tag);
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6.2
    content.encode(w);
    auth.encode(w, content.contentType());
    if (membershipTag != null) {
      w.opaque(membershipTag);
    }
  }

  /** @return the AuthenticatedContent this message carries */
  public AuthenticatedContent authenticatedContent() {
    return new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content, auth);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicMessage m && content.equals(m.content) && auth.equals(m.auth)
        && Arrays.equals(membershipTag, m.membershipTag);
  }

  @Override
  public int hashCode() {
    return Objects.hash(content, auth, Arrays.hashCode(membershipTag));
  }

  @Override
  public String toString() {
    return "PublicMessage[content=" + content + ", auth=" + auth
        + (membershipTag != null ? ", membershipTag=" + Codec.show(membershipTag) : "") + "]";
  }
}
