package io.spacepanda.internal.mls.bench;

import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.GroupFixtures;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Application messages: protect a 200-byte message, and protect + encode + decode + unprotect it
 * (the whole path from one member to another) at several group sizes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MlsMessageBenchmark {

  /** Group size. */
  @Param({"2", "10", "100"})
  public int members;

  /** Cipher suite: 1 (AES-128-GCM) or 3 (ChaCha20-Poly1305), both X25519 and Ed25519. */
  @Param({"1"})
  public int suite;

  private Group sender;
  private Group receiver;
  private final byte[] body = new byte[200];
  private static final byte[] NO_AAD = new byte[0];

  /**
   * Builds a group with a full tree.
   *
   * @throws Exception if setup fails
   */
  @Setup
  public void setup() throws Exception {
    MlsConfig config = MlsConfig.builder().maxSkippedKeysPerSender(16).build();
    GroupFixtures.Pair p = GroupFixtures.fullTree(config,
        CipherSuite.byId(suite).orElseThrow(), members);
    sender = p.creator();
    receiver = p.member();
    System.out.printf("%nsize: members=%d protected 200-byte message=%d bytes%n", members,
        sender.protect(body, NO_AAD).toBytes().length);
  }

  /** @return the protected message */
  @Benchmark
  public MlsMessage protect() {
    return sender.protect(body, NO_AAD);
  }

  /**
   * @return the receiver's view of the message
   * @throws Exception if the message does not decrypt
   */
  @Benchmark
  public ProcessedMessage protectAndUnprotect() throws Exception {
    byte[] wire = sender.protect(body, NO_AAD).toBytes();
    return receiver.process(TlsReader.decodeExactly(wire, MlsMessage::decode));
  }
}
