package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.schedule.MessageKey;
import io.spacepanda.internal.mls.schedule.RatchetType;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SecretTreeLimits;
import io.spacepanda.internal.mls.schedule.SenderDataKeys;
import org.junit.jupiter.api.Test;

/** secret-tree.json: sender-data keys (RFC 9420 §6.3.2) and per-leaf ratchets (§9). */
class SecretTreeVectorTest {

  @Test
  void secretTree_allCases_matchSenderDataAndRatchets() {
    MlsVectors.Report report = new MlsVectors.Report("secret-tree.json");
    int n = 0;
    for (JsonNode c : MlsVectors.load("secret-tree.json")) {
      var suite = MlsVectors.suite(c);
      n++;
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("case " + n + " suite " + s.id(), () -> {
        JsonNode sd = c.get("sender_data");
        byte[] sds = hex(sd.get("sender_data_secret"));
        byte[] ct = hex(sd.get("ciphertext"));
        assertArrayEquals(hex(sd.get("key")), SenderDataKeys.key(s, sds, ct), "sender data key");
        assertArrayEquals(hex(sd.get("nonce")), SenderDataKeys.nonce(s, sds, ct), "sender data nonce");

        JsonNode leaves = c.get("leaves");
        // Generations in the vectors can be far apart; allow any distance here.
        SecretTreeLimits limits = new SecretTreeLimits(Integer.MAX_VALUE, 16);
        SecretTree tree = SecretTree.create(s, hex(c.get("encryption_secret")), leaves.size(),
            limits);
        for (int leaf = 0; leaf < leaves.size(); leaf++) {
          for (JsonNode g : leaves.get(leaf)) {
            long gen = g.get("generation").asLong();
            MessageKey h = tree.decryptionKey(leaf, RatchetType.HANDSHAKE, gen);
            MessageKey a = tree.decryptionKey(leaf, RatchetType.APPLICATION, gen);
            assertEquals(gen, h.generation());
            assertArrayEquals(hex(g.get("handshake_key")), h.key(), "handshake key");
            assertArrayEquals(hex(g.get("handshake_nonce")), h.nonce(), "handshake nonce");
            assertArrayEquals(hex(g.get("application_key")), a.key(), "application key");
            assertArrayEquals(hex(g.get("application_nonce")), a.nonce(), "application nonce");
          }
        }
      });
    }
    report.finish();
  }
}
