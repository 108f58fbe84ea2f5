package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.KeyPackage;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyPackageBundleTest {

  private final MlsConfig config = GroupFixtures.config(5);
  private final Client erin = Client.named("erin", config);

  @Test
  void create_signsAValidKeyPackage_withLifetimeFromTheClock() throws Exception {
    KeyPackageBundle b = erin.keyPackage();
    KeyPackage kp = b.keyPackage();
    CipherSuite s = GroupFixtures.SUITE;
    assertTrue(s.verifyWithLabel(kp.leafNode().signatureKey(), "KeyPackageTBS",
        kp.toBeSigned(), kp.signature()));
    long now = config.clock().instant().getEpochSecond();
    assertEquals(now - 3600, kp.leafNode().lifetime().notBefore());
    assertEquals(now + 28 * 86400, kp.leafNode().lifetime().notAfter());
    assertArrayEquals(kp.initKey(), s.hpkePublicKey(b.initPrivateKey()));
    assertArrayEquals(kp.leafNode().encryptionKey(), s.hpkePublicKey(b.encryptionPrivateKey()));
    assertFalse(java.util.Arrays.equals(kp.initKey(), kp.leafNode().encryptionKey()));
    assertTrue(kp.leafNode().capabilities().cipherSuites().contains(1));
    new LeafValidator(s, new byte[0], java.util.List.of(), java.util.Map.of(), config.clock(),
        config.clockSkew()).validateKeyPackage(kp, true);
  }

  @Test
  void toBytes_roundTrips_andVersionByteComesFirst() throws Exception {
    KeyPackageBundle b = erin.keyPackage();
    byte[] bytes = b.toBytes();
    assertEquals(KeyPackageBundle.FORMAT_VERSION, bytes[0]);
    KeyPackageBundle back = KeyPackageBundle.fromBytes(bytes);
    assertArrayEquals(bytes, back.toBytes());
    bytes[0] = 9;
    assertThrows(MlsDecodeException.class, () -> KeyPackageBundle.fromBytes(bytes));
  }

  @Test
  void toString_showsNoSecret() {
    KeyPackageBundle b = erin.keyPackage();
    String text = b.toString();
    assertFalse(text.contains(HexFormat.of().formatHex(b.initPrivateKey())));
    assertFalse(text.contains(HexFormat.of().formatHex(b.encryptionPrivateKey())));
  }

  @Test
  void create_withKeyPairOfAnotherSuite_fails() {
    assertThrows(IllegalArgumentException.class, () -> KeyPackageBundle.create(config,
        CipherSuite.P256_AES128GCM_SHA256_P256, erin.credential(), erin.signatureKeys()));
  }
}
