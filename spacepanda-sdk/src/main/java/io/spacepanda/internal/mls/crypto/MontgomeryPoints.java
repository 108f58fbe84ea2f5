package io.spacepanda.internal.mls.crypto;

import java.util.HexFormat;

/**
 * Recognizes the X25519 and X448 public keys of small order: the u-coordinates whose shared secret
 * with any clamped scalar is zero (RFC 7748 §6, RFC 9180 §7.1.4), which HPKE must refuse.
 *
 * <p>Design: a small-order point's order divides the cofactor (8 for Curve25519 and its twist, 4
 * for Curve448 and its twist), and there are few such u-coordinates: 0, 1, p-1 and, on Curve25519,
 * the two points of order 8. Their encodings, plus the non-canonical encodings p and p+1 (values
 * of 2^255 - 19 + u and 2^448 - 2^224 - 1 + u below 2^255 resp. 2^448 exist only for u = 0, 1),
 * form the same blocklist libsodium uses ({@code crypto_scalarmult_curve25519}). A key is compared
 * with every entry in full, in time independent of the key's bytes (no early exit); bit 255 of an
 * X25519 key is ignored, as its decoding does (RFC 7748 §5). This replaced x-only doubling over
 * {@code BigInteger}, which took about 10 µs and branched on the key. Stateless.
 */
final class MontgomeryPoints {

  private static final byte[][] SMALL_ORDER_25519 = hex(
      "0000000000000000000000000000000000000000000000000000000000000000", // 0, order 2
      "0100000000000000000000000000000000000000000000000000000000000000", // 1, order 4 (twist)
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p-1, order 4
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p = 0
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // p+1 = 1

  private static final byte[][] SMALL_ORDER_448 = hex(
      "00000000000000000000000000000000000000000000000000000000"
          + "00000000000000000000000000000000000000000000000000000000", // 0
      "01000000000000000000000000000000000000000000000000000000"
          + "00000000000000000000000000000000000000000000000000000000", // 1
      "feffffffffffffffffffffffffffffffffffffffffffffffffffffff"
          + "feffffffffffffffffffffffffffffffffffffffffffffffffffffff", // p-1
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
          + "feffffffffffffffffffffffffffffffffffffffffffffffffffffff", // p = 0
      "00000000000000000000000000000000000000000000000000000000"
          + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"); // p+1 = 1

  private MontgomeryPoints() {}

  private static byte[][] hex(String... entries) {
    byte[][] out = new byte[entries.length][];
    for (int i = 0; i < entries.length; i++) {
      out[i] = HexFormat.of().parseHex(entries[i]);
    }
    return out;
  }

  /**
   * @param u a 32-byte X25519 public key
   * @return whether it is a point of small order (in any of its encodings)
   */
  static boolean isSmallOrder25519(byte[] u) {
    return matchesAny(u, SMALL_ORDER_25519, 0x7f);
  }

  /**
   * @param u a 56-byte X448 public key
   * @return whether it is a point of small order (in any of its encodings)
   */
  static boolean isSmallOrder448(byte[] u) {
    return matchesAny(u, SMALL_ORDER_448, 0xff);
  }

  /** Constant time in the bytes of {@code u}: every entry and every byte is compared. */
  private static boolean matchesAny(byte[] u, byte[][] blocklist, int lastByteMask) {
    int last = u.length - 1;
    int found = 0;
    for (byte[] entry : blocklist) {
      int diff = 0;
      for (int i = 0; i < last; i++) {
        diff |= u[i] ^ entry[i];
      }
      diff |= (u[last] & lastByteMask) ^ entry[last];
      found |= ((diff & 0xff) - 1) >>> 8 & 1; // 1 iff diff == 0
    }
    return found != 0;
  }
}
