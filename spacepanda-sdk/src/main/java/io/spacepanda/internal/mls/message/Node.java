package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;

/**
 * {@code Node} of RFC 9420 §7.8: a leaf or a parent node of the ratchet tree, on the wire preceded
 * by its {@code NodeType} byte (leaf 1, parent 2).
 */
public sealed interface Node permits LeafNode, ParentNode {

  /** {@code NodeType leaf}. */
  int LEAF = 1;

  /** {@code NodeType parent}. */
  int PARENT = 2;

  /**
   * Decodes one {@code Node} with its type byte (RFC 9420 §7.8).
   *
   * @param r the reader
   * @return the node
   * @throws MlsDecodeException if malformed or of an unknown node type
   */
  static Node decode(TlsReader r) throws MlsDecodeException {
    int type = r.u8();
    switch (type) {
      case LEAF:
        return LeafNode.decode(r);
      case PARENT:
        return ParentNode.decode(r);
      default:
        throw new MlsDecodeException("unknown node type");
    }
  }

  /**
   * Encodes one {@code Node} with its type byte (RFC 9420 §7.8).
   *
   * @param w the writer
   * @param node the node
   */
  static void encode(TlsWriter w, Node node) {
    if (node instanceof LeafNode leaf) {
      w.u8(LEAF);
      leaf.encode(w);
    } else {
      w.u8(PARENT);
      ((ParentNode) node).encode(w);
    }
  }
}
