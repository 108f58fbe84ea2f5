package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code FramedContent} of RFC 9420 §6: the group, epoch, sender, authenticated data and one body
 * selected by the content type.
 *
 * <p>Exactly one of {@code applicationData}, {@code proposal} and {@code commit} is non-null, the
 * one that {@code contentType} names; the constructor enforces this.
 *
 * @param groupId the group id
 * @param epoch the epoch (uint64 bits)
 * @param sender the sender
 * @param authenticatedData application-chosen data authenticated but not encrypted
 * @param contentType the content type
 * @param applicationData the application message (application only)
 * @param proposal the proposal (proposal only)
 * @param commit the commit (commit only)
 */
public record FramedContent(byte[] groupId, long epoch, Sender sender, byte[] authenticatedData,
    ContentType contentType, byte[] applicationData, Proposal proposal, Commit commit)
    implements TlsEncodable {

  /** Checks presence and that the body matches the content type. */
  public FramedContent {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(authenticatedData, "authenticatedData");
    Objects.requireNonNull(contentType, "contentType");
    if ((applicationData != null) != (contentType == ContentType.APPLICATION)
        || (proposal != null) != (contentType == ContentType.PROPOSAL)
        || (commit != null) != (contentType == ContentType.COMMIT)) {
      throw new IllegalArgumentException("body does not match content type " + contentType);
    }
  }

  /**
   * Frames application data.
   *
   * @param groupId the group id
   * @param epoch the epoch
   * @param sender the sender
   * @param authenticatedData the authenticated data
   * @param applicationData the message
   * @return the content
   */
  public static FramedContent application(byte[] groupId, long epoch, Sender sender,
      byte[] authenticatedData, byte[] applicationData) {
    return new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.APPLICATION,
        Objects.requireNonNull(applicationData, "applicationData"), null, null);
  }

  /**
   * Frames a proposal.
   *
   * @param groupId the group id
   * @param epoch the epoch
   * @param sender the sender
   * @param authenticatedData the authenticated data
   * @param proposal the proposal
   * @return the content
   */
  public static FramedContent proposal(byte[] groupId, long epoch, Sender sender,
      byte[] authenticatedData, Proposal proposal) {
    return new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.PROPOSAL,
        null, Objects.requireNonNull(proposal, "proposal"), null);
  }

  /**
   * Frames a commit.
   *
   * @param groupId the group id
   * @param epoch the epoch
   * @param sender the sender
   * @param authenticatedData the authenticated data
   * @param commit the commit
   * @return the content
   */
  public static FramedContent commit(byte[] groupId, long epoch, Sender sender,
      byte[] authenticatedData, Commit commit) {
    return new FramedContent(groupId, epoch, sender, authenticatedData, ContentType.COMMIT,
        null, null, Objects.requireNonNull(commit, "commit"));
  }

  /**
   * Decodes one {@code FramedContent} (RFC 9420 §6).
   *
   * @param r the reader
   * @return the content
   * @throws MlsDecodeException if malformed, oversized or of an unknown content type
   */
  public static FramedContent decode(TlsReader r) throws MlsDecodeException {
    byte[] groupId = r.opaque(MlsConstants.MAX_GROUP_ID_SIZE);
    long epoch = r.u64();
    Sender sender = Sender.decode(r);
    byte[] aad = r.opaque(MlsConstants.MAX_AUTHENTICATED_DATA_SIZE);
    ContentType type = ContentType.of(r.u8());
    Body body = Body.decode(r, type);
    return new FramedContent(groupId, epoch, sender, aad, type, body.applicationData,
        body.proposal, body.commit);
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6
    w.opaque(groupId).u64(epoch);
    sender.encode(w);
    w.opaque(authenticatedData).u8(contentType.value());
    encodeBody(w, contentType, applicationData, proposal, commit);
  }

  static void encodeBody(TlsWriter w, ContentType type, byte[] applicationData, Proposal proposal,
      Commit commit) {
    // RFC 9420 §6: select (content_type)
    switch (type) {
      case APPLICATION:
        w.opaque(applicationData);
        break;
      case PROPOSAL:
        proposal.encode(w);
        break;
      default:
        commit.encode(w);
        break;
    }
  }

  /** The body selected by a content type, as decoded. */
  static final class Body {
    final byte[] applicationData;
    final Proposal proposal;
    final Commit commit;

    private Body(byte[] applicationData, Proposal proposal, Commit commit) {
      this.applicationData = applicationData;
      this.proposal = proposal;
      this.commit = commit;
    }

    static Body decode(TlsReader r, ContentType type) throws MlsDecodeException {
      switch (type) {
        case APPLICATION:
          return new Body(r.opaque(MlsConstants.MAX_APPLICATION_DATA_SIZE), null, null);
        case PROPOSAL:
          return new Body(null, Proposal.decode(r), null);
        default:
          return new Body(null, null, Commit.decode(r));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FramedContent c && Arrays.equals(groupId, c.groupId) && epoch == c.epoch
        && sender.equals(c.sender) && Arrays.equals(authenticatedData, c.authenticatedData)
        && contentType == c.contentType && Arrays.equals(applicationData, c.applicationData)
        && Objects.equals(proposal, c.proposal) && Objects.equals(commit, c.commit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(groupId), epoch, sender, Arrays.hashCode(authenticatedData),
        contentType, Arrays.hashCode(applicationData), proposal, commit);
  }

  @Override
  public String toString() {
    return "FramedContent[groupId=" + Codec.show(groupId) + ", epoch="
        + Long.toUnsignedString(epoch) + ", sender=" + sender + ", contentType=" + contentType
        + (applicationData != null ? ", applicationData=" + applicationData.length + " bytes" : "")
        + (proposal != null ? ", proposal=" + proposal : "")
        + (commit != null ? ", commit=" + commit : "") + "]";
  }
}
