package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Node;
import io.spacepanda.internal.mls.message.RatchetTreeData;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs one passive-client case (test-vectors.md, "Passive Client Scenarios"): join from the
 * Welcome with the given KeyPackage, private keys, optional ratchet tree and external PSKs, check
 * the initial epoch authenticator, then per epoch process the proposals and the commit and check
 * the epoch authenticator.
 */
final class PassiveClientRunner {

  private PassiveClientRunner() {}

  /** A fixed clock keeps lifetime checks deterministic (the vectors' lifetimes are wide). */
  static MlsConfig config() {
    return MlsConfig.builder().allowNewMemberSenders(true)
        .clock(Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC))
        .build();
  }

  static void runFile(String file) {
    MlsVectors.Report report = new MlsVectors.Report(file);
    int i = 0;
    for (JsonNode c : MlsVectors.load(file)) {
      int n = i++;
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      report.run("case " + n + " suite " + suite.get().id(), () -> run(suite.get(), c));
    }
    report.finish();
  }

  static void run(CipherSuite s, JsonNode c) throws Exception {
    MlsConfig config = config();
    KeyPackage kp = TlsReader.decodeExactly(hex(c.get("key_package")), MlsMessage::decode)
        .keyPackage();
    byte[] sigPriv = hex(c.get("signature_priv"));
    byte[] encPriv = hex(c.get("encryption_priv"));
    byte[] initPriv = hex(c.get("init_priv"));
    assertArrayEquals(kp.leafNode().signatureKey(), s.signaturePublicKey(sigPriv));
    assertArrayEquals(kp.leafNode().encryptionKey(), s.hpkePublicKey(encPriv));
    assertArrayEquals(kp.initKey(), s.hpkePublicKey(initPriv));
    KeyPackageBundle bundle = KeyPackageBundle.of(kp, initPriv, encPriv, sigPriv);
    MlsMessage welcome = TlsReader.decodeExactly(hex(c.get("welcome")), MlsMessage::decode);
    List<Node> tree = null;
    JsonNode rt = c.get("ratchet_tree");
    if (rt != null && !rt.isNull()) {
      tree = TlsReader.decodeExactly(hex(rt), RatchetTreeData::decode);
    }
    Map<String, byte[]> psks = new HashMap<>();
    for (JsonNode p : c.get("external_psks")) {
      psks.put(HexFormat.of().formatHex(hex(p.get("psk_id"))), hex(p.get("psk")));
    }
    Group g = Group.joinFromWelcome(config, welcome.welcome(), bundle, tree,
        id -> psks.get(HexFormat.of().formatHex(id)));
    psks.forEach((id, psk) -> g.addExternalPsk(HexFormat.of().parseHex(id), psk));
    assertArrayEquals(hex(c.get("initial_epoch_authenticator")), g.epochAuthenticator(),
        "initial epoch authenticator");
    int e = 0;
    for (JsonNode epoch : c.get("epochs")) {
      for (JsonNode p : epoch.get("proposals")) {
        MlsMessage m = TlsReader.decodeExactly(hex(p), MlsMessage::decode);
        assertInstanceOf(ProcessedMessage.ProposalQueued.class, g.process(m));
      }
      MlsMessage commit = TlsReader.decodeExactly(hex(epoch.get("commit")), MlsMessage::decode);
      ProcessedMessage out = g.process(commit);
      assertInstanceOf(ProcessedMessage.CommitApplied.class, out);
      assertArrayEquals(hex(epoch.get("epoch_authenticator")), g.epochAuthenticator(),
          "epoch authenticator after epoch index " + e);
      e++;
    }
    assertEquals(e, c.get("epochs").size());
  }
}
