package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.ProtocolVersion;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** key-schedule.json: the epoch secrets of RFC 9420 §8 chained over several epochs. */
class KeyScheduleVectorTest {

  @Test
  void keySchedule_allSuites_matchEveryEpoch() {
    MlsVectors.Report report = new MlsVectors.Report("key-schedule.json");
    for (JsonNode c : MlsVectors.load("key-schedule.json")) {
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("suite " + s.id(), () -> {
        byte[] groupId = hex(c.get("group_id"));
        byte[] init = hex(c.get("initial_init_secret"));
        long epoch = 0;
        for (JsonNode e : c.get("epochs")) {
          byte[] context = groupContext(s, groupId, epoch, hex(e.get("tree_hash")),
              hex(e.get("confirmed_transcript_hash")));
          assertArrayEquals(hex(e.get("group_context")), context, "group_context");
          EpochSecrets es = KeySchedule.nextEpoch(s, init, hex(e.get("commit_secret")),
              hex(e.get("psk_secret")), context);
          assertArrayEquals(hex(e.get("joiner_secret")), es.joinerSecret(), "joiner_secret");
          assertArrayEquals(hex(e.get("welcome_secret")), es.welcomeSecret(), "welcome_secret");
          assertArrayEquals(hex(e.get("welcome_secret")), KeySchedule.welcomeSecret(s,
              es.joinerSecret(), hex(e.get("psk_secret"))), "welcome_secret");
          assertArrayEquals(hex(e.get("init_secret")), es.initSecret(), "init_secret");
          assertArrayEquals(hex(e.get("sender_data_secret")), es.senderDataSecret(), "sender_data");
          assertArrayEquals(hex(e.get("encryption_secret")), es.encryptionSecret(), "encryption");
          assertArrayEquals(hex(e.get("exporter_secret")), es.exporterSecret(), "exporter");
          assertArrayEquals(hex(e.get("epoch_authenticator")), es.epochAuthenticator(),
              "epoch_authenticator");
          assertArrayEquals(hex(e.get("external_secret")), es.externalSecret(), "external");
          assertArrayEquals(hex(e.get("confirmation_key")), es.confirmationKey(), "confirm");
          assertArrayEquals(hex(e.get("membership_key")), es.membershipKey(), "membership");
          assertArrayEquals(hex(e.get("resumption_psk")), es.resumptionPsk(), "resumption");
          assertArrayEquals(hex(e.get("external_pub")), es.externalKeyPair().publicKey(),
              "external_pub");
          // The exporter label is the text of the field itself, not hex-decoded bytes.
          JsonNode x = e.get("exporter");
          assertArrayEquals(hex(x.get("secret")), es.exporter(x.get("label").asText(),
              hex(x.get("context")), x.get("length").asInt()), "exporter");
          assertEquals(es, EpochSecrets.fromBytes(es.toBytes()));
          init = es.initSecret();
          epoch++;
        }
      });
    }
    report.finish();
  }

  /** RFC 9420 §8.1 GroupContext with empty extensions. */
  private static byte[] groupContext(CipherSuite s, byte[] groupId, long epoch, byte[] treeHash,
      byte[] confirmed) {
    return new GroupContext(ProtocolVersion.MLS10, s.id(), groupId, epoch, treeHash, confirmed,
        List.of()).toBytes();
  }
}
