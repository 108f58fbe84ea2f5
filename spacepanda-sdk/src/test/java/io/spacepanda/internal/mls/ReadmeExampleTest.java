package io.spacepanda.internal.mls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.CommitResult;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.MlsMessage;
import org.junit.jupiter.api.Test;

/** The README's example, verbatim in substance, so the README cannot drift from the API. */
class ReadmeExampleTest {

  @Test
  void readmeExample_bobReadsAlicesMessage_andRestoresHisState() throws Exception {
    MlsConfig config = MlsConfig.defaults();
    CipherSuite suite = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
    Group alice = Group.create(config, suite, "team".getBytes(UTF_8), Credential.basic(
        "alice".getBytes(UTF_8)), suite.generateSignatureKeyPair(config.random()));
    KeyPackageBundle bob = KeyPackageBundle.create(config, suite,
        Credential.basic("bob".getBytes(UTF_8)), suite.generateSignatureKeyPair(config.random()));

    CommitResult add = alice.commit(CommitOptions.builder().add(bob.keyPackage())
        .ratchetTreeInWelcome(true).build());
    alice.mergePendingCommit();
    Group bobGroup = Group.joinFromWelcome(config, add.welcomeOrNull(), bob, null, id -> null);

    byte[] wire = alice.protect("hi bob".getBytes(UTF_8), new byte[0]).toBytes();
    MlsMessage in = TlsReader.decodeExactly(wire, MlsMessage::decode);
    ProcessedMessage got = bobGroup.process(in);
    assertEquals("hi bob", new String(
        assertInstanceOf(ProcessedMessage.ApplicationMessage.class, got).data(), UTF_8));
    byte[] saved = bobGroup.toBytes();
    assertArrayEquals(bobGroup.epochAuthenticator(),
        Group.fromBytes(config, saved).epochAuthenticator());
  }
}
