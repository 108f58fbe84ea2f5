package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.List;

/**
 * {@code Commit} of RFC 9420 §12.4: the proposals it applies and an optional update path.
 *
 * @param proposals proposals by value or reference
 * @param path the update path, or null
 */
public record Commit(List<ProposalOrRef> proposals, UpdatePath path) implements TlsEncodable {

  /** Copies the list. */
  public Commit {
    proposals = Codec.list(proposals, "proposals");
  }

  /**
   * Decodes one {@code Commit} (RFC 9420 §12.4).
   *
   * @param r the reader
   * @return the commit
   * @throws MlsDecodeException if malformed
   */
  public static Commit decode(TlsReader r) throws MlsDecodeException {
    return new Commit(r.vector(ProposalOrRef::decode), r.optional(UpdatePath::decode));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §12.4
    w.vector(proposals).optional(path);
  }
}
