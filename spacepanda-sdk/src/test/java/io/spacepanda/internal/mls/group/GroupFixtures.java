package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.tree.TreeKem;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The one fixture of group tests and benchmarks: members with deterministic randomness and a
 * fixed clock ({@link #config}, {@link Client}), message and convergence checks, and large groups
 * built without joining every member ({@link #fullTree}).
 *
 * <p>{@link #fullTree} adds {@code n - 1} members in one commit, then fills every parent node of
 * the ratchet tree with real UpdatePath commits from every even leaf: each is authored by a copy of
 * the creator's state that acts as that leaf (it holds the leaf's signature key, which is all a
 * committer needs) and is processed by the two real members, the creator at leaf 0 and a joiner at
 * leaf 1. That costs n/2 commits instead of the n joins and n²/2 commit processings of building
 * the same tree member by member, and the result is the tree those members would have built.
 */
public final class GroupFixtures {

  /** The suite of the small-group tests. */
  static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;

  private GroupFixtures() {}

  /** A default config with a seeded random source and a clock fixed at 2026-01-01. */
  static MlsConfig config(long seed) {
    return config(seed, MlsConfig.builder());
  }

  /** {@code b} with a seeded random source and a clock fixed at 2026-01-01, built. */
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

  /** The UTF-8 bytes of {@code s}. */
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

  /** The creator (leaf 0) and one joined member (leaf 1) of a group with a full tree. */
  public record Pair(Group creator, Group member, List<KeyPackageBundle> bundles) {}

  /**
   * Builds a group of {@code n} members whose ratchet tree has no blank node.
   *
   * @param config engine configuration
   * @param suite cipher suite
   * @param n member count, at least 2
   * @return the creator and the member at leaf 1
   * @throws MlsException if any step fails
   */
  public static Pair fullTree(MlsConfig config, CipherSuite suite, int n) throws MlsException {
    Group creator = Group.create(config, suite, "bench".getBytes(StandardCharsets.UTF_8),
        Credential.basic(new byte[] {0}), suite.generateSignatureKeyPair(config.random()));
    List<KeyPackageBundle> bundles = new ArrayList<>();
    CommitOptions.Builder add = CommitOptions.builder().ratchetTreeInWelcome(true);
    for (int i = 1; i < n; i++) {
      KeyPackageBundle kp = KeyPackageBundle.create(config, suite,
          Credential.basic(("member-" + i).getBytes(StandardCharsets.UTF_8)),
          suite.generateSignatureKeyPair(config.random()));
      bundles.add(kp);
      add.add(kp.keyPackage());
    }
    CommitResult added = creator.commit(add.build());
    creator.mergePendingCommit();
    Group member = Group.joinFromWelcome(config, roundTrip(MlsMessage.of(added.welcomeOrNull()))
        .welcome(), bundles.get(0), null, id -> null);
    // An add-only commit carries no path: the creator fills its own direct path first.
    CommitResult own = creator.commit(CommitOptions.builder().forcePath(true).build());
    creator.mergePendingCommit();
    member.process(roundTrip(own.commit()));
    for (int leaf = 2; leaf < n; leaf += 2) {
      KeyPackageBundle kp = bundles.get(leaf - 1);
      Group author = actAs(config, creator, leaf, kp);
      CommitResult c = author.commit(CommitOptions.builder().forcePath(true).build());
      MlsMessage wire = roundTrip(c.commit());
      creator.process(wire);
      member.process(wire);
    }
    return new Pair(creator, member, bundles);
  }

  /**
   * Returns a copy of {@code group}'s current epoch that acts as another leaf; only for authoring
   * commits in fixtures (its own path secrets are not those of the real member).
   */
  static Group actAs(MlsConfig config, Group group, int leaf, KeyPackageBundle bundle)
      throws MlsException {
    Group copy = Group.fromBytes(config, group.toBytes());
    EpochState s = copy.state;
    TreeKem kem = TreeKem.forLeaf(group.suite(), leaf, bundle.encryptionPrivateKey());
    EpochState asLeaf = Group.newState(config, s.context, s.tree, kem, s.secrets,
        s.interimTranscriptHash, s.confirmationTag);
    return new Group(config, group.suite(), bundle.signaturePrivateKey(), asLeaf);
  }

  /**
   * Encodes and decodes a message, as the network would.
   *
   * @param m the message
   * @return the decoded copy
   * @throws MlsException if decoding fails
   */
  public static MlsMessage roundTrip(MlsMessage m) throws MlsException {
    return TlsReader.decodeExactly(m.toBytes(), MlsMessage::decode);
  }
}
