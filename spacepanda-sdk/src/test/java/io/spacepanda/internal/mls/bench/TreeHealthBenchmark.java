package io.spacepanda.internal.mls.bench;

import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.CommitResult;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.GroupFixtures;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tree health (issue 11 item 5): the committer's commit with an UpdatePath (what a removal or a
 * committed Update costs), created and processed, on a sparse tree and on a full one.
 *
 * <p>{@code sparse}: the members were added by add-only commits, as the node adds them (no path),
 * so every parent node is blank and the commit encrypts to n - 1 keys. {@code full}: every parent
 * node is set, as members' path refreshes leave it ({@link GroupFixtures#fullTree}), so it
 * encrypts to log2(n) keys. The HPKE count of one commit is printed at setup; the month-long
 * simulation is {@code TreeHealthSimulationTest}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TreeHealthBenchmark {

  /** Group size. */
  @Param({"1000"})
  public int members;

  /** {@code sparse} (add-only commits) or {@code full} (paths refreshed). */
  @Param({"sparse", "full"})
  public String tree;

  private MlsConfig config;
  private Group committer;
  private byte[] receiverState;
  private byte[] commitBytes;
  private Group receiver;

  /**
   * Builds the group and one commit for the receiver to process.
   *
   * @throws Exception if setup fails
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    config = MlsConfig.defaults();
    CipherSuite suite = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
    if (tree.equals("full")) {
      GroupFixtures.Pair p = GroupFixtures.fullTree(config, suite, members);
      committer = p.creator();
      receiverState = p.member().toBytes();
    } else {
      committer = Group.create(config, suite, "bench".getBytes(StandardCharsets.UTF_8),
          Credential.basic(new byte[] {0}), suite.generateSignatureKeyPair(config.random()));
      List<KeyPackageBundle> bundles = new ArrayList<>();
      CommitOptions.Builder add = CommitOptions.builder();
      for (int i = 1; i < members; i++) {
        KeyPackageBundle kp = KeyPackageBundle.create(config, suite,
            Credential.basic(("member-" + i).getBytes(StandardCharsets.UTF_8)),
            suite.generateSignatureKeyPair(config.random()));
        bundles.add(kp);
        add.add(kp.keyPackage());
      }
      CommitResult added = committer.commit(add.build());
      committer.mergePendingCommit();
      receiverState = Group.joinFromWelcome(config, GroupFixtures.roundTrip(
          MlsMessage.of(added.welcomeOrNull())).welcome(), bundles.get(0), null, id -> null)
          .toBytes();
    }
    long before = committer.pathEncryptions();
    CommitResult r = commit();
    commitBytes = r.commit().toBytes();
    committer.discardPendingCommit();
    System.out.printf("%ntree health: members=%d tree=%s %s hpke=%d commit=%d bytes%n", members,
        tree, committer.treeHealth(), committer.pathEncryptions() - before, commitBytes.length);
  }

  /**
   * Restores the receiver to the epoch before the commit.
   *
   * @throws Exception if the state does not restore
   */
  @Setup(Level.Invocation)
  public void restoreReceiver() throws Exception {
    receiver = Group.fromBytes(config, receiverState);
  }

  private CommitResult commit() throws Exception {
    return committer.commit(CommitOptions.builder().forcePath(true).build());
  }

  /**
   * @return the committer's commit with a path
   * @throws Exception if the commit fails
   */
  @Benchmark
  public CommitResult createCommitWithPath() throws Exception {
    CommitResult r = commit();
    committer.discardPendingCommit();
    return r;
  }

  /**
   * @return what a member made of the commit
   * @throws Exception if processing fails
   */
  @Benchmark
  public ProcessedMessage processCommitWithPath() throws Exception {
    return receiver.process(TlsReader.decodeExactly(commitBytes, MlsMessage::decode));
  }
}
