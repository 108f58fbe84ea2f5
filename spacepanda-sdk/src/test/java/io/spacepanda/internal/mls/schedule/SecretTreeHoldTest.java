package io.spacepanda.internal.mls.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsGenerationAheadException;
import io.spacepanda.internal.mls.MlsReplayException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretTreeLimits#evictSkippedKeys()} false: a message that would push out keys of earlier
 * messages still missing is refused without changing anything, and opens once they arrived.
 */
class SecretTreeHoldTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final byte[] ROOT = new byte[32];
  private static final SecretTreeLimits HOLD = new SecretTreeLimits(20, 8, false);

  static {
    Arrays.fill(ROOT, (byte) 5);
  }

  private static SecretTree tree(SecretTreeLimits limits) {
    return SecretTree.create(SUITE, ROOT, 4, limits);
  }

  private static MessageKey[] sent(int n) throws Exception {
    SecretTree sender = tree(SecretTreeLimits.DEFAULT);
    MessageKey[] out = new MessageKey[n];
    for (int g = 0; g < n; g++) {
      out[g] = sender.nextEncryptionKey(2, RatchetType.APPLICATION);
    }
    return out;
  }

  @Test
  void gapBeyondKeptKeys_refusedWithoutChange_thenOpensAfterEarlierOnes() throws Exception {
    MessageKey[] sent = sent(12);
    SecretTree receiver = tree(HOLD);
    assertThrows(MlsGenerationAheadException.class,
        () -> receiver.decryptionKey(2, RatchetType.APPLICATION, 9));
    for (int g = 0; g < 9; g++) {
      assertEquals(sent[g], receiver.decryptionKey(2, RatchetType.APPLICATION, g));
    }
    assertEquals(sent[9], receiver.decryptionKey(2, RatchetType.APPLICATION, 9));
  }

  @Test
  void evictingLimits_sameGap_forgetsTheOldestKeys() throws Exception {
    MessageKey[] sent = sent(12);
    SecretTree receiver = tree(new SecretTreeLimits(20, 8));
    assertEquals(sent[9], receiver.decryptionKey(2, RatchetType.APPLICATION, 9));
    assertThrows(MlsReplayException.class,
        () -> receiver.decryptionKey(2, RatchetType.APPLICATION, 0));
  }

  @Test
  void beyondForwardDistance_isAheadWhenHolding_invalidWhenEvicting() {
    assertThrows(MlsGenerationAheadException.class,
        () -> tree(HOLD).decryptionKey(2, RatchetType.APPLICATION, 21));
    assertThrows(MlsValidationException.class,
        () -> tree(new SecretTreeLimits(20, 8)).decryptionKey(2, RatchetType.APPLICATION, 21));
  }

  /** Any arrival order, with refused messages retried later, opens every message exactly once. */
  @Property(tries = 100)
  void anyOrder_withRetries_everyMessageOpensOnce(@ForAll long seed) throws Exception {
    int n = 40;
    MessageKey[] sent = sent(n);
    List<Integer> queue = new ArrayList<>();
    for (int g = 0; g < n; g++) {
      queue.add(g);
    }
    Collections.shuffle(queue, new Random(seed));
    SecretTree receiver = tree(HOLD);
    List<Integer> held = new ArrayList<>();
    int opened = 0;
    while (!queue.isEmpty() || !held.isEmpty()) {
      boolean progress = false;
      if (!queue.isEmpty()) {
        int g = queue.remove(0);
        if (open(receiver, sent, g)) {
          opened++;
          progress = true;
        } else {
          held.add(g);
        }
      }
      if (progress || queue.isEmpty()) {
        for (Integer g : List.copyOf(held)) {
          if (open(receiver, sent, g)) {
            held.remove(g);
            opened++;
          }
        }
      }
      if (queue.isEmpty() && !held.isEmpty() && !progress) {
        int before = held.size();
        for (Integer g : List.copyOf(held)) {
          if (open(receiver, sent, g)) {
            held.remove(g);
            opened++;
          }
        }
        assertEquals(true, held.size() < before || held.isEmpty(), "stuck (seed " + seed + ")");
      }
    }
    assertEquals(n, opened, "seed " + seed);
  }

  private static boolean open(SecretTree t, MessageKey[] sent, int g) throws Exception {
    try {
      assertEquals(sent[g], t.decryptionKey(2, RatchetType.APPLICATION, g));
      return true;
    } catch (MlsGenerationAheadException e) {
      return false;
    }
  }
}
