package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.Objects;

/**
 * {@code AuthenticatedContent} of RFC 9420 §6.1: framed content with its wire format and auth
 * data; the input of proposal references and of the transcript hashes (§8.2).
 *
 * @param wireFormat public or private message
 * @param content the framed content
 * @param auth its auth data
 */
public record AuthenticatedContent(int wireFormat, FramedContent content,
    FramedContentAuthData auth) implements TlsEncodable {

  /** Label of a proposal reference (RFC 9420 §5.2). */
  public static final String PROPOSAL_REF_LABEL = "MLS 1.0 Proposal Reference";

  /** Checks presence and that the wire format is a framed one. */
  public AuthenticatedContent {
    if (!WireFormat.isFramed(wireFormat)) {
      throw new IllegalArgumentException("not a framed wire format: " + wireFormat);
    }
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(auth, "auth");
    if ((auth.confirmationTag() != null) != (content.contentType() == ContentType.COMMIT)) {
      throw new IllegalArgumentException("confirmation tag must be present exactly for commits");
    }
  }

  /**
   * Decodes one {@code AuthenticatedContent} (RFC 9420 §6.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or the wire format is not public or private message
   */
  public static AuthenticatedContent decode(TlsReader r) throws MlsDecodeException {
    int wireFormat = r.u16();
    if (!WireFormat.isFramed(wireFormat)) {
      throw new MlsDecodeException("unexpected wire format");
    }
    FramedContent content = FramedContent.decode(r);
    return new AuthenticatedContent(wireFormat, content,
        FramedContentAuthData.decode(r, content.contentType()));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6.1
    w.u16(wireFormat);
    content.encode(w);
    auth.encode(w, content.contentType());
  }

  /**
   * Computes the reference of the proposal this content carries (RFC 9420 §5.2).
   *
   * @param suite the group's cipher suite
   * @return RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)
   */
  public byte[] proposalRef(CipherSuite suite) {
    return suite.refHash(PROPOSAL_REF_LABEL, toBytes());
  }

  /**
   * Encodes the {@code ConfirmedTranscriptHashInput} of this content (RFC 9420 §8.2): wire format,
   * content and signature.
   *
   * @return the encoding
   */
  public byte[] confirmedTranscriptHashInput() {
    TlsWriter w = new TlsWriter();
    w.u16(wireFormat);
    content.encode(w);
    w.opaque(auth.signature());
    return w.toByteArray();
  }

  /**
   * Encodes the {@code InterimTranscriptHashInput} of this content (RFC 9420 §8.2): the
   * confirmation tag of a commit.
   *
   * @return the encoding
   * @throws IllegalStateException if this content is not a commit
   */
  public byte[] interimTranscriptHashInput() {
    if (auth.confirmationTag() == null) {
      throw new IllegalStateException("not a commit");
    }
    return new TlsWriter().opaque(auth.confirmationTag()).toByteArray();
  }
}
