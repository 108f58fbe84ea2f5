package io.spacepanda.internal.mls.framing.bench;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.framing.FramingOptions;
import io.spacepanda.internal.mls.framing.MessageFramer;
import io.spacepanda.internal.mls.framing.SignatureKeyResolver;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.ProtocolVersion;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SecretTreeLimits;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of protecting and unprotecting one 200-byte application message as a PrivateMessage
 * (suite 1: Ed25519, AES-128-GCM): sign + encrypt on one member, decrypt + verify on another.
 * Run: {@code mvn -q -o -pl spacepanda-sdk test-compile exec:exec@bench -Dbench=MessageFramer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageFramerBenchmark {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final byte[] GROUP = new byte[16];

  private MessageFramer sender;
  private MessageFramer receiver;
  private KeyPair signer;
  private SignatureKeyResolver keys;
  private FramedContent content;

  /** Builds two members' framers of one epoch with room for many generations. */
  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom();
    signer = SUITE.generateSignatureKeyPair(random);
    byte[] pub = signer.publicKey();
    keys = (s, c) -> pub;
    GroupContext context = new GroupContext(ProtocolVersion.MLS10, SUITE.id(), GROUP, 1,
        new byte[32], new byte[32], List.of());
    EpochSecrets secrets = KeySchedule.nextEpoch(SUITE, new byte[32], null, null,
        context.toBytes());
    SecretTreeLimits limits = new SecretTreeLimits(1000, 0);
    sender = MessageFramer.forEpoch(context, secrets,
        SecretTree.create(SUITE, secrets.encryptionSecret(), 2, limits), FramingOptions.DEFAULT,
        random);
    receiver = MessageFramer.forEpoch(context, secrets,
        SecretTree.create(SUITE, secrets.encryptionSecret(), 2, limits), FramingOptions.DEFAULT,
        random);
    content = FramedContent.application(GROUP, 1, Sender.member(0), new byte[0], new byte[200]);
  }

  /**
   * Protects and unprotects one message.
   *
   * @return the decrypted content
   * @throws MlsException never
   */
  @Benchmark
  public AuthenticatedContent protectAndUnprotect200Bytes() throws MlsException {
    PrivateMessage m = sender.encryptPrivate(content, signer.privateKey());
    return receiver.decryptPrivate(m, keys);
  }
}
