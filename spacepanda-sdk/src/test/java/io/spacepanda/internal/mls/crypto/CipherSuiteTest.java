package io.spacepanda.internal.mls.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecryptionException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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

  @Test
  void isValidHpkePublicKey_rejectsLowOrderMontgomeryPoints() {
    byte[] one25519 = new byte[32];
    one25519[0] = 1;
    byte[] one448 = new byte[56];
    one448[0] = 1;
    for (CipherSuite s : new CipherSuite[] {CipherSuite.X25519_AES128GCM_SHA256_ED25519,
        CipherSuite.X25519_CHACHA20POLY1305_SHA256_ED25519}) {
      assertFalse(s.isValidHpkePublicKey(new byte[32]));
      assertFalse(s.isValidHpkePublicKey(one25519));
      // a peer's low-order key would otherwise make our own encryption to it throw
      assertThrows(RuntimeException.class,
          () -> s.encryptWithLabel(new byte[32], "x", new byte[0], new byte[1]));
    }
    for (CipherSuite s : new CipherSuite[] {CipherSuite.X448_AES256GCM_SHA512_ED448,
        CipherSuite.X448_CHACHA20POLY1305_SHA512_ED448}) {
      assertFalse(s.isValidHpkePublicKey(new byte[56]));
      assertFalse(s.isValidHpkePublicKey(one448));
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
