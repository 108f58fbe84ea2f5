package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code PrivateMessageContent} of RFC 9420 §6.3.1: the plaintext of a private message, i.e. the
 * body selected by the content type, the auth data and zero padding.
 *
 * <p>Exactly one of {@code applicationData}, {@code proposal} and {@code commit} is non-null, the
 * one that {@code contentType} names.
 *
 * @param contentType the content type (from the enclosing PrivateMessage)
 * @param applicationData the application message (application only)
 * @param proposal the proposal (proposal only)
 * @param commit the commit (commit only)
 * @param auth the auth data
 * @param paddingLength number of zero bytes appended
 */
public record PrivateMessageContent(ContentType contentType, byte[] applicationData,
    Proposal proposal, Commit commit, FramedContentAuthData auth, int paddingLength) {

  /** Checks presence and that the body and auth data match the content type. */
  public PrivateMessageContent {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(auth, "auth");
    if ((applicationData != null) != (contentType == ContentType.APPLICATION)
        || (proposal != null) != (contentType == ContentType.PROPOSAL)
        || (commit != null) != (contentType == ContentType.COMMIT)) {
      throw new IllegalArgumentException("body does not match content type " + contentType);
    }
    if ((auth.confirmationTag() != null) != (contentType == ContentType.COMMIT)) {
      throw new IllegalArgumentException("confirmation tag must be present exactly for commits");
    }
    if (paddingLength < 0) {
      throw new IllegalArgumentException("negative padding: " + paddingLength);
    }
  }

  /**
   * Takes the plaintext parts of framed content.
   *
   * @param content the framed content
   * @param auth its auth data
   * @param paddingLength number of zero bytes to append
   * @return the plaintext content
   */
  public static PrivateMessageContent of(FramedContent content, FramedContentAuthData auth,
      int paddingLength) {
    return new PrivateMessageContent(content.contentType(), content.applicationData(),
        content.proposal(), content.commit(), auth, paddingLength);
  }

  /**
   * Encodes the plaintext with its padding (RFC 9420 §6.3.1).
   *
   * @return the bytes to encrypt
   */
  public byte[] toBytes() {
    TlsWriter w = new TlsWriter();
    FramedContent.encodeBody(w, contentType, applicationData, proposal, commit);
    auth.encode(w, contentType);
    w.raw(new byte[paddingLength]);
    return w.toByteArray();
  }

  /**
   * Decodes a whole decrypted plaintext (RFC 9420 §6.3.1); every byte after the auth data is
   * padding and must be zero.
   *
   * @param plaintext the decrypted bytes
   * @param contentType the content type of the PrivateMessage
   * @return the content
   * @throws MlsDecodeException if malformed or the padding holds a non-zero byte
   */
  public static PrivateMessageContent decode(byte[] plaintext, ContentType contentType)
      throws MlsDecodeException {
    Objects.requireNonNull(contentType, "contentType");
    if (plaintext == null) {
      throw new MlsDecodeException("null input");
    }
    TlsReader r = new TlsReader(plaintext);
    FramedContent.Body body = FramedContent.Body.decode(r, contentType);
    FramedContentAuthData auth = FramedContentAuthData.decode(r, contentType);
    int padding = r.remaining();
    for (byte b : r.raw(padding)) {
      if (b != 0) {
        throw new MlsDecodeException("non-zero padding");
      }
    }
    return new PrivateMessageContent(contentType, body.applicationData, body.proposal,
        body.commit, auth, padding);
  }

  /**
   * Rebuilds the framed content this plaintext belongs to.
   *
   * @param groupId the group id of the PrivateMessage
   * @param epoch its epoch
   * @param sender the sender from the decrypted SenderData
   * @param authenticatedData its authenticated data
   * @return the framed content
   */
  public FramedContent toFramedContent(byte[] groupId, long epoch, Sender sender,
      byte[] authenticatedData) {
    return new FramedContent(groupId, epoch, sender, authenticatedData, contentType,
        applicationData, proposal, commit);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateMessageContent c && contentType == c.contentType
        && Arrays.equals(applicationData, c.applicationData)
        && Objects.equals(proposal, c.proposal) && Objects.equals(commit, c.commit)
        && auth.equals(c.auth) && paddingLength == c.paddingLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(contentType, Arrays.hashCode(applicationData), proposal, commit, auth,
        paddingLength);
  }

  @Override
  public String toString() {
    return "PrivateMessageContent[contentType=" + contentType + ", padding=" + paddingLength + "]";
  }
}
