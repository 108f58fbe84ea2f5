package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code optional<Node> ratchet_tree<V>} of RFC 9420 §12.4.3.3: the nodes of a ratchet tree in
 * array (in-order) order, {@code null} for a blank node.
 *
 * <p>Decoding checks what the wire alone can show: the last node is not blank, nodes at even
 * positions are leaves and at odd positions parents. It returns the nodes as sent, without the
 * blank padding up to a full tree ({@link #extendToFullTree} adds it).
 */
public final class RatchetTreeData {

  private RatchetTreeData() {}

  /**
   * Encodes a tree, leaving out the blank nodes after the last non-blank one (§12.4.3.3).
   *
   * @param nodes the nodes in array order; null entries are blank
   * @return the encoding of the {@code ratchet_tree} vector
   */
  public static byte[] encode(List<Node> nodes) {
    TlsWriter w = new TlsWriter();
    encode(w, nodes);
    return w.toByteArray();
  }

  /**
   * Writes a tree, leaving out the blank nodes after the last non-blank one (§12.4.3.3).
   *
   * @param w the writer
   * @param nodes the nodes in array order; null entries are blank
   */
  public static void encode(TlsWriter w, List<Node> nodes) {
    int end = nodes.size();
    while (end > 0 && nodes.get(end - 1) == null) {
      end--;
    }
    List<Node> sent = nodes.subList(0, end);
    w.vector(body -> {
      for (Node n : sent) {
        if (n == null) {
          body.u8(0);
        } else {
          body.u8(1);
          Node.encode(body, n);
        }
      }
    });
  }

  /**
   * Decodes a {@code ratchet_tree} vector (RFC 9420 §12.4.3.3).
   *
   * @param r the reader
   * @return the nodes as sent (unmodifiable; null entries are blank, the last is never null)
   * @throws MlsDecodeException if malformed, empty, ending in a blank node, or with a node of the
   *     wrong kind for its position
   */
  public static List<Node> decode(TlsReader r) throws MlsDecodeException {
    TlsReader sub = r.vectorReader();
    List<Node> nodes = new ArrayList<>();
    while (!sub.isEmpty()) {
      if (nodes.size() >= TlsReader.MAX_VECTOR_ELEMENTS) {
        throw new MlsDecodeException("too many elements");
      }
      Node n = sub.optional(Node::decode);
      if (n != null && (n instanceof LeafNode) != (nodes.size() % 2 == 0)) {
        throw new MlsDecodeException("node type does not match position");
      }
      nodes.add(n);
    }
    if (nodes.isEmpty() || nodes.get(nodes.size() - 1) == null) {
      throw new MlsDecodeException("ratchet tree ends in a blank node");
    }
    return Collections.unmodifiableList(nodes);
  }

  /**
   * Pads a decoded tree with blank nodes to the smallest full size {@code 2^(d+1) - 1}
   * (§12.4.3.3).
   *
   * @param nodes the nodes as sent
   * @return a new modifiable list of the full width
   */
  public static List<Node> extendToFullTree(List<Node> nodes) {
    List<Node> out = new ArrayList<>(nodes);
    int full = 1;
    while (full < out.size()) {
      full = 2 * full + 1;
    }
    while (out.size() < full) {
      out.add(null);
    }
    return out;
  }
}
