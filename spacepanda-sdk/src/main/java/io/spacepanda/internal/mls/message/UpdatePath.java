package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.List;
import java.util.Objects;

/**
 * {@code UpdatePath} of RFC 9420 §7.6: the committer's new leaf and one node per filtered direct
 * path entry.
 *
 * @param leafNode the committer's new leaf (source commit, checked during validation, not here)
 * @param nodes the path nodes, leaf to root
 */
public record UpdatePath(LeafNode leafNode, List<UpdatePathNode> nodes) implements TlsEncodable {

  /** Checks presence and copies the list. */
  public UpdatePath {
    Objects.requireNonNull(leafNode, "leafNode");
    nodes = Codec.list(nodes, "nodes");
  }

  /**
   * Decodes one {@code UpdatePath} (RFC 9420 §7.6).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed
   */
  public static UpdatePath decode(TlsReader r) throws MlsDecodeException {
    return new UpdatePath(LeafNode.decode(r), r.vector(UpdatePathNode::decode));
  }

  @Override
  public void encode(TlsWriter w) {
    leafNode.encode(w);
    w.vector(nodes);
  }
}
