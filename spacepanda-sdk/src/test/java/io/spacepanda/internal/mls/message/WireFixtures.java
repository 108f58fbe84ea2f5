package io.spacepanda.internal.mls.message;

import java.util.HexFormat;
import java.util.List;

/** Small fixed values of the wire structures for example-based tests. */
final class WireFixtures {

  private WireFixtures() {}

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static Capabilities capabilities() {
    return new Capabilities(List.of(1), List.of(1), List.of(), List.of(), List.of(1));
  }

  static LeafNode leaf(LeafNodeSource source) {
    return new LeafNode(hex("aa01"), hex("bb02"), Credential.basic(hex("cc03")), capabilities(),
        source, source == LeafNodeSource.KEY_PACKAGE ? new Lifetime(1, 2) : null,
        source == LeafNodeSource.COMMIT ? hex("dd04") : null, List.of(), hex("ee05"));
  }

  static ParentNode parent() {
    return new ParentNode(hex("ab"), hex(""), List.of(3));
  }

  static KeyPackage keyPackage() {
    return new KeyPackage(1, 1, hex("1234"), leaf(LeafNodeSource.KEY_PACKAGE), List.of(),
        hex("5678"));
  }

  static GroupContext groupContext() {
    return new GroupContext(1, 1, hex("0102"), 7, hex("aa"), hex("bb"), List.of());
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
