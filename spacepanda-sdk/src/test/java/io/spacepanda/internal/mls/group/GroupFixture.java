package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Members for group tests: deterministic randomness, a fixed clock, suite 1. */
final class GroupFixture {

  static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;

  private GroupFixture() {}

  static MlsConfig config(long seed) {
    return config(seed, MlsConfig.builder());
  }

  static MlsConfig config(long seed, MlsConfig.Builder b) {
    SecureRandom random;
    try {
      random = SecureRandom.getInstance("SHA1PRNG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    random.setSeed(seed);
    return b.clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
        .random(random).build();
  }

  /** One client: a name, its signature key pair and basic credential. */
  record Client(String name, KeyPair signatureKeys, Credential credential, MlsConfig config) {

    static Client named(String name, MlsConfig config) {
      return new Client(name, SUITE.generateSignatureKeyPair(config.random()),
          Credential.basic(name.getBytes(StandardCharsets.UTF_8)), config);
    }

    KeyPackageBundle keyPackage() {
      return KeyPackageBundle.create(config, SUITE, credential, signatureKeys);
    }

    Group create(String groupId) {
      return Group.create(config, SUITE, groupId.getBytes(StandardCharsets.UTF_8), credential,
          signatureKeys);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends {@code text} from {@code from} and checks that every receiver decrypts it. */
  static void sendAndCheck(Group from, String text, List<Group> receivers) throws MlsException {
    MlsMessage m = from.protect(utf8(text), new byte[0]);
    for (Group r : receivers) {
      if (r == from) {
        continue;
      }
      ProcessedMessage.ApplicationMessage a =
          assertInstanceOf(ProcessedMessage.ApplicationMessage.class, r.process(m));
      assertArrayEquals(utf8(text), a.data());
    }
  }

  /** Checks that all groups are in the same epoch with the same authenticator. */
  static void assertConverged(List<Group> groups) {
    for (Group g : groups) {
      assertArrayEquals(groups.get(0).epochAuthenticator(), g.epochAuthenticator());
      assertArrayEquals(groups.get(0).exporter("test", new byte[0], 32),
          g.exporter("test", new byte[0], 32));
    }
  }
}
