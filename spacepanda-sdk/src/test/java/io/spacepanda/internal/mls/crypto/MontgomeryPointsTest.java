package io.spacepanda.internal.mls.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/**
 * The blocklist against its definition: x-only doubling over {@code BigInteger} (the check it
 * replaced, kept here as the oracle) and BouncyCastle's refusal of an all-zero shared secret.
 */
class MontgomeryPointsTest {

  private static final BigInteger P25519 = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger A25519 = BigInteger.valueOf(486662);
  private static final BigInteger P448 =
      BigInteger.TWO.pow(448).subtract(BigInteger.TWO.pow(224)).subtract(BigInteger.ONE);
  private static final BigInteger A448 = BigInteger.valueOf(156326);

  /** Whether {@code 2^doublings} times the point u is the identity: Z reaches 0. */
  private static boolean smallOrderByDoubling(byte[] encoded, BigInteger p, BigInteger a,
      int doublings) {
    byte[] be = new byte[encoded.length];
    for (int i = 0; i < encoded.length; i++) {
      be[i] = encoded[encoded.length - 1 - i];
    }
    if (p.bitLength() == 255) {
      be[0] &= 0x7f;
    }
    BigInteger x = new BigInteger(1, be).mod(p);
    BigInteger z = BigInteger.ONE;
    for (int i = 0; i < doublings; i++) {
      BigInteger xx = x.multiply(x);
      BigInteger zz = z.multiply(z);
      BigInteger xz = x.multiply(z);
      BigInteger nx = xx.subtract(zz).pow(2).mod(p);
      z = xz.shiftLeft(2).multiply(xx.add(a.multiply(xz)).add(zz)).mod(p);
      x = nx;
    }
    return z.signum() == 0;
  }

  private static byte[] le(BigInteger v, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = v.shiftRight(8 * i).byteValue();
    }
    return out;
  }

  private static List<byte[]> blocklist25519() {
    return List.of(le(BigInteger.ZERO, 32), le(BigInteger.ONE, 32),
        le(P25519.subtract(BigInteger.ONE), 32), le(P25519, 32), le(P25519.add(BigInteger.ONE), 32),
        java.util.HexFormat.of().parseHex(
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        java.util.HexFormat.of().parseHex(
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"));
  }

  private static List<byte[]> blocklist448() {
    return List.of(le(BigInteger.ZERO, 56), le(BigInteger.ONE, 56),
        le(P448.subtract(BigInteger.ONE), 56), le(P448, 56), le(P448.add(BigInteger.ONE), 56));
  }

  @Example
  void everyBlocklistedPoint_isSmallOrder_andRefusedByBouncyCastle() {
    for (byte[] u : blocklist25519()) {
      assertTrue(smallOrderByDoubling(u, P25519, A25519, 3));
      assertFalse(X25519.calculateAgreement(new byte[32], 0, u, 0, new byte[32], 0));
      assertTrue(MontgomeryPoints.isSmallOrder25519(u));
      byte[] highBit = u.clone();
      highBit[31] |= (byte) 0x80;
      assertTrue(MontgomeryPoints.isSmallOrder25519(highBit), "bit 255 is ignored");
    }
    for (byte[] u : blocklist448()) {
      assertTrue(smallOrderByDoubling(u, P448, A448, 2));
      assertFalse(X448.calculateAgreement(new byte[56], 0, u, 0, new byte[56], 0));
      assertTrue(MontgomeryPoints.isSmallOrder448(u));
    }
  }

  @Property(tries = 200)
  void generatedX25519Keys_pass(@ForAll("seeds32") byte[] privateKey) {
    byte[] u = new byte[32];
    X25519.scalarMultBase(privateKey, 0, u, 0);
    assertFalse(MontgomeryPoints.isSmallOrder25519(u));
  }

  @Property(tries = 100)
  void generatedX448Keys_pass(@ForAll("seeds56") byte[] privateKey) {
    byte[] u = new byte[56];
    X448.scalarMultBase(privateKey, 0, u, 0);
    assertFalse(MontgomeryPoints.isSmallOrder448(u));
  }

  @Property(tries = 300)
  void x25519_agreesWithDoubling(@ForAll("nearBlocklist25519") byte[] u) {
    assertEquals(smallOrderByDoubling(u, P25519, A25519, 3), MontgomeryPoints.isSmallOrder25519(u));
  }

  @Property(tries = 300)
  void x448_agreesWithDoubling(@ForAll("nearBlocklist448") byte[] u) {
    assertEquals(smallOrderByDoubling(u, P448, A448, 2), MontgomeryPoints.isSmallOrder448(u));
  }

  @Provide
  Arbitrary<byte[]> seeds32() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32);
  }

  @Provide
  Arbitrary<byte[]> seeds56() {
    return Arbitraries.bytes().array(byte[].class).ofSize(56);
  }

  /** Random bytes, blocklisted points, and blocklisted points with one byte changed. */
  @Provide
  Arbitrary<byte[]> nearBlocklist25519() {
    return near(blocklist25519(), 32);
  }

  @Provide
  Arbitrary<byte[]> nearBlocklist448() {
    return near(blocklist448(), 56);
  }

  private static Arbitrary<byte[]> near(List<byte[]> list, int length) {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofSize(length);
    Arbitrary<byte[]> listed = Arbitraries.of(list).map(byte[]::clone);
    Arbitrary<byte[]> mutated = listed.flatMap(u -> Arbitraries.integers().between(0, length - 1)
        .flatMap(i -> Arbitraries.bytes().map(b -> {
          byte[] m = u.clone();
          m[i] ^= b;
          return m;
        })));
    return Arbitraries.oneOf(random, listed, mutated);
  }
}
