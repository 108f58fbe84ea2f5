package io.spacepanda.examples;

import io.spacepanda.internal.mls.MlsException;
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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A walk-through of the MLS engine with three members, printing what happens: Alice creates a
 * group and adds Bob and Carol in one commit, they join from the Welcome, everyone talks, Bob
 * updates his keys through Alice (the single committer), Alice removes Carol, Carol learns it and
 * can read nothing new, and Bob's state survives a save and restore.
 *
 * <p>Every message travels as bytes, exactly as it would over the network. This example uses the
 * engine under {@code io.spacepanda.internal.mls}, which the SDK's public API is built on; that is
 * why it lives in the SDK's test sources and not in {@code spacepanda-sdk-examples}, whose code
 * uses the public API only. Run it with
 *
 * <pre>
 *   mvn -B -q -ntp -pl spacepanda-sdk test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.spacepanda.examples.MlsWalkthrough
 * </pre>
 *
 * <p>{@code MlsWalkthroughTest} runs it in the test suite.
 */
public final class MlsWalkthrough {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final MlsConfig CONFIG = MlsConfig.defaults();

  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final PrintStream out;

  private MlsWalkthrough(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the walk-through.
   *
   * @param args ignored
   * @throws MlsException if any MLS operation fails (it should not)
   * @throws IllegalStateException if the members disagree or a removed member reads a message
   */
  public static void main(String[] args) throws MlsException {
    run(System.out);
  }

  /**
   * Runs the walk-through, printing each step to {@code out}.
   *
   * @param out where the steps are printed
   * @throws MlsException if any MLS operation fails (it should not)
   * @throws IllegalStateException if the members disagree or a removed member reads a message
   */
  static void run(PrintStream out) throws MlsException {
    new MlsWalkthrough(out).run();
  }

  private void run() throws MlsException {
    say("Cipher suite %s (X25519, AES-128-GCM, SHA-256, Ed25519)", SUITE);

    Group alice = Group.create(CONFIG, SUITE, bytes("team-general"), credential("alice"),
        SUITE.generateSignatureKeyPair(CONFIG.random()));
    groups.put("alice", alice);
    say("alice created group %s, epoch %d", HexFormat.of().formatHex(alice.groupId()), alice.epoch());

    KeyPackageBundle bobKp = keyPackage("bob");
    KeyPackageBundle carolKp = keyPackage("carol");
    say("bob and carol published KeyPackages (%d bytes each)",
        MlsMessage.of(bobKp.keyPackage()).toBytes().length);

    CommitResult add = alice.commit(CommitOptions.builder()
        .add(bobKp.keyPackage()).add(carolKp.keyPackage()).ratchetTreeInWelcome(true).build());
    alice.mergePendingCommit();
    byte[] welcome = MlsMessage.of(add.welcomeOrNull()).toBytes();
    say("alice committed adding both (commit %d bytes, welcome %d bytes), now epoch %d",
        add.commit().toBytes().length, welcome.length, alice.epoch());

    groups.put("bob", join(welcome, bobKp));
    groups.put("carol", join(welcome, carolKp));
    checkAgreement();

    send("alice", "Welcome, both of you!");
    send("bob", "Thanks alice. Hi carol.");
    send("carol", "Hello everyone.");

    byte[] update = groups.get("bob").proposeUpdate().toBytes();
    say("bob proposes a key update (%d bytes) for alice to commit", update.length);
    deliver("bob", update);
    CommitResult commit = alice.commit(CommitOptions.defaults());
    alice.mergePendingCommit();
    deliver("alice", commit.commit().toBytes());
    checkAgreement();

    int carolLeaf = groups.get("carol").ownLeafIndex();
    CommitResult remove = alice.commit(CommitOptions.builder().remove(carolLeaf).build());
    alice.mergePendingCommit();
    deliver("alice", remove.commit().toBytes());
    Group carol = groups.remove("carol");
    checkAgreement();

    byte[] secret = groups.get("alice").protect(bytes("carol cannot read this"), new byte[0]).toBytes();
    try {
      carol.process(decode(secret));
      throw new IllegalStateException("carol decrypted a message after her removal");
    } catch (MlsException expected) {
      say("carol cannot read alice's next message: %s", expected.getClass().getSimpleName());
    }
    deliver("alice", secret);

    byte[] saved = groups.get("bob").toBytes();
    groups.put("bob", Group.fromBytes(CONFIG, saved));
    say("bob saved his state (%d bytes) and restored it", saved.length);
    send("bob", "Still here after a restart.");
    checkAgreement();
    say("done");
  }

  private Group join(byte[] welcomeBytes, KeyPackageBundle kp) throws MlsException {
    Group g = Group.joinFromWelcome(CONFIG, decode(welcomeBytes).welcome(), kp, null,
        id -> null);
    say("%s joined from the Welcome at leaf %d, epoch %d, %d members", name(kp), g.ownLeafIndex(),
        g.epoch(), g.members().size());
    return g;
  }

  private void send(String from, String text) throws MlsException {
    byte[] wire = groups.get(from).protect(bytes(text), new byte[0]).toBytes();
    say("%s sends \"%s\" (%d bytes on the wire)", from, text, wire.length);
    deliver(from, wire);
  }

  /** Hands the bytes to every member but the sender and prints what each one made of them. */
  private void deliver(String from, byte[] wire) throws MlsException {
    for (Map.Entry<String, Group> e : groups.entrySet()) {
      if (e.getKey().equals(from)) {
        continue;
      }
      ProcessedMessage result = e.getValue().process(decode(wire));
      if (result instanceof ProcessedMessage.ApplicationMessage m) {
        say("  %s reads from %s: \"%s\"", e.getKey(), identity(m.credential()),
            new String(m.data(), StandardCharsets.UTF_8));
      } else if (result instanceof ProcessedMessage.CommitApplied c) {
        say("  %s applied a commit: epoch %d, %d added, %d removed, %d updated%s", e.getKey(),
            c.newEpoch(), c.added().size(), c.removed().size(), c.updated().size(),
            c.selfRemoved() ? " -- and learns it was removed" : "");
      } else if (result instanceof ProcessedMessage.ProposalQueued p) {
        say("  %s queued a proposal of type %d", e.getKey(), p.proposal().type());
      }
    }
  }

  private void checkAgreement() {
    List<String> auths = groups.values().stream()
        .map(g -> HexFormat.of().formatHex(g.epochAuthenticator()).substring(0, 16)).toList();
    boolean same = auths.stream().distinct().count() == 1;
    say("epoch %d: %s agree on epoch authenticator %s…%s", groups.get("alice").epoch(),
        groups.keySet(), auths.get(0), same ? "" : " -- MISMATCH " + auths);
    if (!same) {
      throw new IllegalStateException("members disagree on the epoch authenticator: " + auths);
    }
  }

  private static KeyPackageBundle keyPackage(String name) {
    return KeyPackageBundle.create(CONFIG, SUITE, credential(name),
        SUITE.generateSignatureKeyPair(CONFIG.random()));
  }

  private static MlsMessage decode(byte[] wire) throws MlsException {
    return TlsReader.decodeExactly(wire, MlsMessage::decode);
  }

  private static Credential credential(String name) {
    return Credential.basic(bytes(name));
  }

  private static String identity(Credential c) {
    return new String(c.identity(), StandardCharsets.UTF_8);
  }

  private static String name(KeyPackageBundle kp) {
    return identity(kp.keyPackage().leafNode().credential());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void say(String format, Object... args) {
    out.println(String.format(format, args));
  }

}
