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
 * Membership changes: the committer creates a commit adding one member (with its Welcome), and
 * another member processes that commit, in groups whose ratchet tree is full.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MlsCommitBenchmark {

  /** Group size before the add. */
  @Param({"10", "100", "1000"})
  public int members;

  private MlsConfig config;
  private Group committer;
  private byte[] receiverState;
  private KeyPackageBundle joiner;
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
    GroupFixtures.Pair p = GroupFixtures.fullTree(config, suite, members);
    committer = p.creator();
    receiverState = p.member().toBytes();
    joiner = KeyPackageBundle.create(config, suite, Credential.basic(new byte[] {'j'}),
        suite.generateSignatureKeyPair(config.random()));
    CommitResult r = commitAdd();
    commitBytes = r.commit().toBytes();
    committer.discardPendingCommit();
    System.out.printf("%nsize: members=%d commit=%d bytes welcome=%d bytes (ratchet tree "
        + "included) state=%d bytes%n", members, commitBytes.length,
        MlsMessage.of(r.welcomeOrNull()).toBytes().length, receiverState.length);
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

  private CommitResult commitAdd() throws Exception {
    return committer.commit(CommitOptions.builder().add(joiner.keyPackage())
        .ratchetTreeInWelcome(true).build());
  }

  /**
   * @return the commit and Welcome
   * @throws Exception if the commit fails
   */
  @Benchmark
  public CommitResult commitAddingOneMember() throws Exception {
    CommitResult r = commitAdd();
    committer.discardPendingCommit();
    return r;
  }

  /**
   * @return what the receiver made of the commit
   * @throws Exception if processing fails
   */
  @Benchmark
  public ProcessedMessage processCommit() throws Exception {
    return receiver.process(TlsReader.decodeExactly(commitBytes, MlsMessage::decode));
  }
}
