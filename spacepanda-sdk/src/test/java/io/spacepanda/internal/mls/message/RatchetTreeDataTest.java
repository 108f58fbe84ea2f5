package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.leaf;
import static io.spacepanda.internal.mls.message.WireFixtures.parent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatchetTreeDataTest {

  private static byte[] rawTree(List<Node> nodes) {
    TlsWriter w = new TlsWriter();
    w.vector(body -> {
      for (Node n : nodes) {
        body.bool(n != null);
        if (n != null) {
          Node.encode(body, n);
        }
      }
    });
    return w.toByteArray();
  }

  @Test
  void encode_trailingBlanks_areLeftOut() throws MlsDecodeException {
    LeafNode a = leaf(LeafNodeSource.KEY_PACKAGE);
    List<Node> nodes = Arrays.asList(a, parent(), a, null, null);
    byte[] bytes = RatchetTreeData.encode(nodes);
    assertArrayEquals(rawTree(nodes.subList(0, 3)), bytes);
    assertEquals(nodes.subList(0, 3), TlsReader.decodeExactly(bytes, RatchetTreeData::decode));
  }

  @Test
  void decode_lastNodeBlank_isDecodeError() {
    byte[] bytes = rawTree(Arrays.asList(leaf(LeafNodeSource.UPDATE), null));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, RatchetTreeData::decode));
  }

  @Test
  void decode_emptyTree_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(new byte[] {0}, RatchetTreeData::decode));
  }

  @Test
  void decode_nodeKindNotMatchingPosition_isDecodeError() {
    byte[] parentFirst = rawTree(List.of(parent()));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(parentFirst, RatchetTreeData::decode));
    LeafNode a = leaf(LeafNodeSource.UPDATE);
    byte[] leafAtOdd = rawTree(List.of(a, a, a));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(leafAtOdd, RatchetTreeData::decode));
  }

  @Test
  void decode_presenceByteTwo_isDecodeError() {
    byte[] bytes = rawTree(List.of(leaf(LeafNodeSource.UPDATE)));
    bytes[1] = 2;
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, RatchetTreeData::decode));
  }

  @Test
  void extendToFullTree_padsToTwoToTheDPlusOneMinusOne() {
    LeafNode a = leaf(LeafNodeSource.UPDATE);
    assertEquals(1, RatchetTreeData.extendToFullTree(List.of(a)).size());
    assertEquals(3, RatchetTreeData.extendToFullTree(List.of(a, parent(), a)).size());
    List<Node> five = RatchetTreeData.extendToFullTree(List.of(a, parent(), a, parent(), a));
    assertEquals(7, five.size());
    assertEquals(Arrays.asList(null, null), five.subList(5, 7));
  }
}
