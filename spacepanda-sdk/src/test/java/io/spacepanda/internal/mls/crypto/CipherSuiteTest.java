package io.spacepanda.internal.mls.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecryptionException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CipherSuiteTest {

  private final SecureRandom random = new SecureRandom(new byte[] {1, 2, 3});

  static Stream<CipherSuite> suites() {
    return IntStream.rangeClosed(1, 7).mapToObj(i -> CipherSuite.byId(i).orElseThrow());
  }

  @Test
  void byId_unknownSuite_isEmpty() {
    assertTrue(CipherSuite.byId(0).isEmpty());
    assertTrue(CipherSuite.byId(8).isEmpty());
    assertTrue(CipherSuite.byId(0xFFFF).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("suites")
  void signature_roundTrip_andTamperedFails(CipherSuite s) {
    KeyPair kp = s.generateSignatureKeyPair(random);
    assertArrayEquals(kp.publicKey(), s.signaturePublicKey(kp.privateKey()));
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = s.signWithLabel(kp.privateKey(), "Test", msg);
    assertTrue(s.verifyWithLabel(kp.publicKey(), "Test", msg, sig));
    assertFalse(s.verifyWithLabel(kp.publicKey(), "Other", msg, sig));
    sig[sig.length / 2] ^= 1;
    assertFalse(s.verifyWithLabel(kp.publicKey(), "Test", msg, sig));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void verify_garbageKeyOrSignature_isFalseNotException(CipherSuite s) {
    assertFalse(s.verifyWithLabel(new byte[3], "Test", new byte[1], new byte[5]));
    assertFalse(s.verifyWithLabel(new byte[0], "Test", new byte[1], new byte[0]));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void hpke_roundTrip_andWrongKeyFailsWithFixedMessage(CipherSuite s) throws Exception {
    KeyPair kp = s.generateHpkeKeyPair(random);
    assertArrayEquals(kp.publicKey(), s.hpkePublicKey(kp.privateKey()));
    byte[] pt = "secret".getBytes(StandardCharsets.UTF_8);
    HpkeCiphertext ct = s.encryptWithLabel(kp.publicKey(), "L", new byte[] {9}, pt);
    assertArrayEquals(pt, s.decryptWithLabel(kp.privateKey(), "L", new byte[] {9}, ct));
    KeyPair other = s.generateHpkeKeyPair(random);
    MlsDecryptionException e = assertThrows(MlsDecryptionException.class,
        () -> s.decryptWithLabel(other.privateKey(), "L", new byte[] {9}, ct));
    assertEquals("decryption failed", e.getMessage());
    assertThrows(MlsDecryptionException.class,
        () -> s.decryptWithLabel(kp.privateKey(), "L", new byte[] {8}, ct));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void hpkeExport_senderAndReceiverAgree(CipherSuite s) throws Exception {
    KeyPair kp = s.deriveHpkeKeyPair(new byte[s.hashLength()]);
    byte[][] sent = s.hpkeExportSender(kp.publicKey(), new byte[0], "ctx".getBytes(), 32);
    assertArrayEquals(sent[1],
        s.hpkeExportReceiver(sent[0], kp.privateKey(), new byte[0], "ctx".getBytes(), 32));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void deriveHpkeKeyPair_isDeterministic(CipherSuite s) {
    byte[] ikm = new byte[s.hashLength()];
    ikm[0] = 42;
    assertEquals(s.deriveHpkeKeyPair(ikm), s.deriveHpkeKeyPair(ikm.clone()));
  }

  @ParameterizedTest
  @MethodSource("suites")
  void aead_tamperedOrShortCiphertext_failsWithFixedMessage(CipherSuite s) throws Exception {
    byte[] key = new byte[s.aeadKeyLength()];
    byte[] nonce = new byte[s.aeadNonceLength()];
    byte[] ct = s.seal(key, nonce, new byte[] {1}, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, s.open(key, nonce, new byte[] {1}, ct));
    ct[0] ^= 1;
    assertEquals("decryption failed", assertThrows(MlsDecryptionException.class,
        () -> s.open(key, nonce, new byte[] {1}, ct)).getMessage());
    assertThrows(MlsDecryptionException.class, () -> s.open(key, nonce, new byte[0], new byte[3]));
    assertThrows(MlsDecryptionException.class,
        () -> s.open(new byte[5], nonce, new byte[0], new byte[20]));
  }

  @Test
  void mac_emptyKey_equalsZeroBlockKey() {
    CipherSuite s = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
    assertArrayEquals(s.mac(new byte[64], new byte[] {1}), s.mac(new byte[0], new byte[] {1}));
  }

  @Test
  void isValidHpkePublicKey_acceptsGeneratedKeys_rejectsMalformedOnes() {
    SecureRandom rnd = new SecureRandom(new byte[] {5});
    for (int id = 1; id <= 7; id++) {
      CipherSuite s = CipherSuite.byId(id).orElseThrow();
      byte[] pk = s.generateHpkeKeyPair(rnd).publicKey();
      assertTrue(s.isValidHpkePublicKey(pk), s.toString());
      assertFalse(s.isValidHpkePublicKey(new byte[pk.length - 1]), s.toString());
      assertFalse(s.isValidHpkePublicKey(new byte[0]), s.toString());
      if (pk[0] == 0x04) {
        byte[] offCurve = pk.clone();
        offCurve[offCurve.length - 1] ^= 1;
        assertFalse(s.isValidHpkePublicKey(offCurve), s + " off-curve point");
      }
    }
  }

  /** Little-endian encoding of {@code v} in {@code n} bytes. */
  private static byte[] le(java.math.BigInteger v, int n) {
    byte[] be = v.toByteArray();
    byte[] out = new byte[n];
    for (int i = 0; i < n && i < be.length; i++) {
      out[i] = be[be.length - 1 - i];
    }
    return out;
  }

  private static boolean bcAgrees25519(byte[] u) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 0x5a);
    return org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(k, 0, u, 0, new byte[32], 0);
  }

  private static boolean bcAgrees448(byte[] u) {
    byte[] k = new byte[56];
    Arrays.fill(k, (byte) 0x5a);
    return org.bouncycastle.math.ec.rfc7748.X448.calculateAgreement(k, 0, u, 0, new byte[56], 0);
  }

  @Test
  void isValidHpkePublicKey_rejectsExactlyTheLowOrderMontgomeryPoints() {
    java.math.BigInteger p25519 = java.math.BigInteger.TWO.pow(255)
        .subtract(java.math.BigInteger.valueOf(19));
    List<byte[]> low = new ArrayList<>();
    for (long d : new long[] {0, 1, -1, 19 + 0, 19 + 1}) {
      // 0, 1, p-1, and the non-canonical p, p+1
      java.math.BigInteger v = d == -1 ? p25519.subtract(java.math.BigInteger.ONE)
          : d >= 19 ? p25519.add(java.math.BigInteger.valueOf(d - 19))
          : java.math.BigInteger.valueOf(d);
      low.add(le(v, 32));
    }
    // the two points of order 8
    low.add(java.util.HexFormat.of().parseHex(
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"));
    low.add(java.util.HexFormat.of().parseHex(
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"));
    for (CipherSuite s : new CipherSuite[] {CipherSuite.X25519_AES128GCM_SHA256_ED25519,
        CipherSuite.X25519_CHACHA20POLY1305_SHA256_ED25519}) {
      for (byte[] u : low) {
        assertFalse(bcAgrees25519(u), "BouncyCastle refuses the agreement");
        assertFalse(s.isValidHpkePublicKey(u));
        byte[] highBit = u.clone();
        highBit[31] |= (byte) 0x80;
        assertFalse(s.isValidHpkePublicKey(highBit), "bit 255 is ignored (RFC 7748 §5)");
      }
      // a peer's low-order key would otherwise make our own encryption to it throw
      assertThrows(RuntimeException.class,
          () -> s.encryptWithLabel(new byte[32], "x", new byte[0], new byte[1]));
    }
    SecureRandom rnd = new SecureRandom(new byte[] {9});
    for (int i = 0; i < 200; i++) {
      byte[] u = new byte[32];
      rnd.nextBytes(u);
      assertEquals(bcAgrees25519(u),
          CipherSuite.X25519_AES128GCM_SHA256_ED25519.isValidHpkePublicKey(u));
    }
    java.math.BigInteger p448 = java.math.BigInteger.TWO.pow(448)
        .subtract(java.math.BigInteger.TWO.pow(224)).subtract(java.math.BigInteger.ONE);
    for (java.math.BigInteger v : List.of(java.math.BigInteger.ZERO, java.math.BigInteger.ONE,
        p448.subtract(java.math.BigInteger.ONE), p448, p448.add(java.math.BigInteger.ONE))) {
      byte[] u = le(v, 56);
      assertFalse(bcAgrees448(u), "BouncyCastle refuses the agreement");
      assertFalse(CipherSuite.X448_AES256GCM_SHA512_ED448.isValidHpkePublicKey(u));
    }
    for (int i = 0; i < 50; i++) {
      byte[] u = new byte[56];
      rnd.nextBytes(u);
      assertEquals(bcAgrees448(u),
          CipherSuite.X448_AES256GCM_SHA512_ED448.isValidHpkePublicKey(u));
    }
  }

  @Test
  void toString_namesSuiteOnly() {
    assertEquals("CipherSuite(0x0001)", CipherSuite.X25519_AES128GCM_SHA256_ED25519.toString());
  }

  @Test
  void keyPair_toString_hidesPrivateKey() {
    KeyPair kp = new KeyPair(new byte[] {(byte) 0xAB, (byte) 0xCD}, new byte[] {1});
    assertFalse(kp.toString().contains("abcd"));
  }
}
