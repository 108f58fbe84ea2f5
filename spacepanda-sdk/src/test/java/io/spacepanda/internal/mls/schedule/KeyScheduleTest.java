package io.spacepanda.internal.mls.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyScheduleTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;

  @Test
  void nextEpoch_nullCommitAndPsk_sameAsZeroVectors() {
    byte[] init = new byte[32];
    init[0] = 1;
    byte[] ctx = {1, 2, 3};
    EpochSecrets a = KeySchedule.nextEpoch(SUITE, init, null, null, ctx);
    EpochSecrets b = KeySchedule.nextEpoch(SUITE, init, new byte[32], new byte[32], ctx);
    assertEquals(a, b);
  }

  @Test
  void nextEpoch_differentContext_differentSecrets() {
    byte[] init = new byte[32];
    EpochSecrets a = KeySchedule.nextEpoch(SUITE, init, null, null, new byte[] {1});
    EpochSecrets b = KeySchedule.nextEpoch(SUITE, init, null, null, new byte[] {2});
    assertFalse(a.equals(b));
  }

  @Test
  void fromBytes_roundTrip_andTruncationRejected() throws Exception {
    EpochSecrets a = KeySchedule.nextEpoch(SUITE, new byte[32], null, null, new byte[] {9});
    byte[] bytes = a.toBytes();
    assertEquals(a, EpochSecrets.fromBytes(bytes));
    assertArrayEquals(a.membershipKey(), EpochSecrets.fromBytes(bytes).membershipKey());
    assertThrows(MlsDecodeException.class,
        () -> EpochSecrets.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
  }

  @Test
  void externalInit_senderAndReceiver_agreeOnInitSecret() throws Exception {
    EpochSecrets a = KeySchedule.nextEpoch(SUITE, new byte[32], null, null, new byte[] {9});
    io.spacepanda.internal.mls.crypto.KeyPair external = a.externalKeyPair();
    byte[][] sent = KeySchedule.externalInitSender(SUITE, external.publicKey());
    assertArrayEquals(sent[1],
        KeySchedule.externalInitReceiver(SUITE, sent[0], external.privateKey()));
    assertEquals(32, sent[1].length);
  }

  @Test
  void toString_showsNoSecret() {
    EpochSecrets a = KeySchedule.nextEpoch(SUITE, new byte[32], null, null, new byte[] {9});
    String hex = HexFormat.of().formatHex(a.membershipKey());
    assertFalse(a.toString().contains(hex));
    assertEquals("EpochSecrets(CipherSuite(0x0001), secrets hidden)", a.toString());
  }
}
