package io.spacepanda.internal.mls.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsReplayException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SecretTreeTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final byte[] ROOT = new byte[32];

  static {
    Arrays.fill(ROOT, (byte) 7);
  }

  private static SecretTree tree(SecretTreeLimits limits) {
    return SecretTree.create(SUITE, ROOT, 5, limits);
  }

  @Test
  void decryptionKey_matchesSendersKey_forSameGeneration() throws Exception {
    SecretTree sender = tree(SecretTreeLimits.DEFAULT);
    SecretTree receiver = tree(SecretTreeLimits.DEFAULT);
    for (int g = 0; g < 3; g++) {
      MessageKey sent = sender.nextEncryptionKey(3, RatchetType.APPLICATION);
      assertEquals(g, sent.generation());
      assertEquals(sent, receiver.decryptionKey(3, RatchetType.APPLICATION, g));
    }
  }

  @Test
  void decryptionKey_outOfOrderWithinWindow_eachGenerationOpensOnce() throws Exception {
    SecretTree sender = tree(SecretTreeLimits.DEFAULT);
    MessageKey[] sent = new MessageKey[10];
    for (int g = 0; g < sent.length; g++) {
      sent[g] = sender.nextEncryptionKey(1, RatchetType.HANDSHAKE);
    }
    SecretTree receiver = tree(SecretTreeLimits.DEFAULT);
    int[] order = {9, 2, 0, 5, 1, 8, 3, 7, 4, 6};
    for (int g : order) {
      assertEquals(sent[g], receiver.decryptionKey(1, RatchetType.HANDSHAKE, g));
    }
    for (int g : order) {
      assertThrows(MlsReplayException.class,
          () -> receiver.decryptionKey(1, RatchetType.HANDSHAKE, g));
    }
  }

  @Test
  void withDecryptionKey_failedUseOnUnstartedLeaf_leavesTreeExactlyAsBefore() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    t.nextEncryptionKey(0, RatchetType.APPLICATION);
    byte[] before = t.toBytes();
    assertThrows(MlsDecryptionException.class, () -> t.withDecryptionKey(4,
        RatchetType.APPLICATION, 3, k -> {
          throw new MlsDecryptionException("decryption failed");
        }));
    assertArrayEquals(before, t.toBytes());
    SecretTree fresh = tree(SecretTreeLimits.DEFAULT);
    assertEquals(fresh.decryptionKey(4, RatchetType.APPLICATION, 3),
        t.decryptionKey(4, RatchetType.APPLICATION, 3));
  }

  @Test
  void decryptionKey_sameGenerationTwice_isReplay() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    t.decryptionKey(0, RatchetType.APPLICATION, 4);
    MlsReplayException e = assertThrows(MlsReplayException.class,
        () -> t.decryptionKey(0, RatchetType.APPLICATION, 4));
    assertEquals("key already used or deleted", e.getMessage());
  }

  @Test
  void decryptionKey_ownSentGeneration_isDeletedAndReplay() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    MessageKey mine = t.nextEncryptionKey(2, RatchetType.APPLICATION);
    assertThrows(MlsReplayException.class,
        () -> t.decryptionKey(2, RatchetType.APPLICATION, mine.generation()));
    assertEquals(1, t.nextEncryptionKey(2, RatchetType.APPLICATION).generation());
  }

  @Test
  void decryptionKey_generationBomb_rejectedWithoutChangingState() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    t.decryptionKey(0, RatchetType.APPLICATION, 0);
    byte[] before = t.toBytes();
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(0, RatchetType.APPLICATION, 0xFFFFFFFFL));
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(0, RatchetType.APPLICATION, 1 + 1001));
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(0, RatchetType.APPLICATION, 1L << 32));
    assertArrayEquals(before, t.toBytes());
    assertEquals(1 + 1000, t.decryptionKey(0, RatchetType.APPLICATION, 1 + 1000).generation());
  }

  @Test
  void decryptionKey_generationBombOnUnstartedLeaf_derivesNothing() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    byte[] before = t.toBytes();
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(3, RatchetType.HANDSHAKE, 5000));
    assertArrayEquals(before, t.toBytes());
  }

  @Test
  void decryptionKey_farJump_keepsOnlyNewestSkippedKeys() throws Exception {
    SecretTree t = tree(new SecretTreeLimits(1000, 4));
    t.decryptionKey(0, RatchetType.APPLICATION, 100);
    for (int g = 96; g < 100; g++) {
      assertEquals(g, t.decryptionKey(0, RatchetType.APPLICATION, g).generation());
    }
    assertThrows(MlsReplayException.class, () -> t.decryptionKey(0, RatchetType.APPLICATION, 95));
    assertThrows(MlsReplayException.class, () -> t.decryptionKey(0, RatchetType.APPLICATION, 0));
  }

  @Test
  void skippedKeys_manyGaps_oldestForgottenAndSizeBounded() throws Exception {
    SecretTree t = tree(new SecretTreeLimits(1000, 8));
    for (int g = 0; g < 400; g += 2) {
      t.decryptionKey(1, RatchetType.APPLICATION, g);
    }
    assertEquals(391, t.decryptionKey(1, RatchetType.APPLICATION, 391).generation());
    assertThrows(MlsReplayException.class, () -> t.decryptionKey(1, RatchetType.APPLICATION, 375));
    int skippedBytes = 8 * (4 + 1 + 16 + 1 + 12);
    assertTrue(t.toBytes().length < 400 + 2 * skippedBytes, "size " + t.toBytes().length);
  }

  @Test
  void withDecryptionKey_useFails_keyIsKept() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    assertThrows(MlsDecryptionException.class,
        () -> t.withDecryptionKey(4, RatchetType.HANDSHAKE, 3, k -> {
          throw new MlsDecryptionException("decryption failed");
        }));
    assertEquals(3, t.decryptionKey(4, RatchetType.HANDSHAKE, 3).generation());
    assertThrows(MlsDecryptionException.class,
        () -> t.withDecryptionKey(4, RatchetType.HANDSHAKE, 1, k -> {
          throw new MlsDecryptionException("decryption failed");
        }));
    assertEquals(1, t.decryptionKey(4, RatchetType.HANDSHAKE, 1).generation());
  }

  @Test
  void decryptionKey_leafOutsideTree_rejected() {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(5, RatchetType.HANDSHAKE, 0));
    assertThrows(MlsValidationException.class,
        () -> t.decryptionKey(-1, RatchetType.HANDSHAKE, 0));
    assertThrows(MlsValidationException.class,
        () -> t.nextEncryptionKey(7, RatchetType.HANDSHAKE));
  }

  @Test
  void leaves_differ_andRatchetsDiffer() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    MessageKey a = t.decryptionKey(0, RatchetType.APPLICATION, 0);
    MessageKey b = t.decryptionKey(1, RatchetType.APPLICATION, 0);
    MessageKey h = t.decryptionKey(0, RatchetType.HANDSHAKE, 0);
    assertNotEquals(a, b);
    assertNotEquals(a, h);
  }

  @Test
  void toBytes_restored_isExactlyTheSameState() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    t.nextEncryptionKey(2, RatchetType.APPLICATION);
    t.decryptionKey(0, RatchetType.APPLICATION, 5);
    t.decryptionKey(4, RatchetType.HANDSHAKE, 2);
    byte[] saved = t.toBytes();
    SecretTree restored = SecretTree.fromBytes(saved, SecretTreeLimits.DEFAULT);
    assertArrayEquals(saved, restored.toBytes());
    assertEquals(t.decryptionKey(0, RatchetType.APPLICATION, 3),
        restored.decryptionKey(0, RatchetType.APPLICATION, 3));
    assertEquals(t.decryptionKey(3, RatchetType.HANDSHAKE, 0),
        restored.decryptionKey(3, RatchetType.HANDSHAKE, 0));
    assertEquals(t.nextEncryptionKey(2, RatchetType.APPLICATION),
        restored.nextEncryptionKey(2, RatchetType.APPLICATION));
    assertThrows(MlsReplayException.class,
        () -> restored.decryptionKey(0, RatchetType.APPLICATION, 5));
    assertArrayEquals(t.toBytes(), restored.toBytes());
  }

  @Test
  void fromBytes_moreSkippedKeysThanLimits_rejected() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    t.decryptionKey(0, RatchetType.APPLICATION, 10);
    assertThrows(MlsDecodeException.class,
        () -> SecretTree.fromBytes(t.toBytes(), new SecretTreeLimits(1000, 5)));
  }

  @Test
  void toString_showsNoSecret() throws Exception {
    SecretTree t = tree(SecretTreeLimits.DEFAULT);
    MessageKey k = t.nextEncryptionKey(0, RatchetType.APPLICATION);
    assertTrue(t.toString().contains("hidden"));
    assertEquals("MessageKey(generation=0, key hidden)", k.toString());
  }

  @Property(tries = 300)
  void fromBytes_mutatedState_onlyDecodeExceptionOrValidTree(@ForAll("mutations") int[] m) {
    byte[] bytes = savedState();
    int pos = Math.floorMod(m[0], bytes.length);
    bytes[pos] ^= (byte) (m[1] | 1);
    byte[] input = m[2] % 3 == 0 ? Arrays.copyOf(bytes, Math.floorMod(m[2], bytes.length)) : bytes;
    try {
      SecretTree.fromBytes(input, SecretTreeLimits.DEFAULT).toBytes();
    } catch (MlsDecodeException expected) {
      // rejected as a typed error
    }
  }

  @Property(tries = 300)
  void fromBytes_randomBytes_onlyDecodeException(@ForAll byte[] bytes) {
    try {
      SecretTree.fromBytes(bytes, SecretTreeLimits.DEFAULT);
    } catch (MlsDecodeException expected) {
      // rejected as a typed error
    }
  }

  @Provide
  Arbitrary<int[]> mutations() {
    return Arbitraries.integers().array(int[].class).ofSize(3);
  }

  private static byte[] savedState() {
    try {
      SecretTree t = tree(SecretTreeLimits.DEFAULT);
      t.decryptionKey(1, RatchetType.APPLICATION, 3);
      t.nextEncryptionKey(3, RatchetType.HANDSHAKE);
      return t.toBytes();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
