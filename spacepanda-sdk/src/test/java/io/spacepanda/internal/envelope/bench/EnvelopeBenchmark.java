package io.spacepanda.internal.envelope.bench;

import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.envelope.EnvelopeException;
import io.spacepanda.internal.envelope.EnvelopeTooLargeException;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.TagIndex;
import java.security.SecureRandom;
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
 * Cost of sealing and opening envelopes of a 200-byte payload (a typical chat message), and of
 * finding a group envelope's channel among many candidate keys.
 *
 * <p>Run: {@code mvn -q -pl spacepanda-sdk -am test-compile exec:exec@bench -Dbench=EnvelopeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {

  /** Number of channel epochs a node holds keys for when it looks up an envelope's tag. */
  @Param({"1", "100"})
  public int candidates;

  private final SecureRandom random = new SecureRandom();
  private final byte[] payload = new byte[200];
  private GroupEnvelopeKeys keys;
  private byte[] groupEnvelope;
  private TagIndex<Integer> index;
  private InboxKey inbox;
  private byte[] directEnvelope;

  /** Builds the keys and one sealed envelope of each kind. */
  @Setup
  public void setUp() throws EnvelopeTooLargeException {
    random.nextBytes(payload);
    index = new TagIndex<>();
    for (int i = 0; i < candidates; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      keys = GroupEnvelopeKeys.derive(secret);
      index.put(i, keys);
    }
    groupEnvelope = GroupEnvelope.seal(keys, payload, random);
    inbox = InboxKey.generate(random);
    directEnvelope = DirectEnvelope.seal(inbox.publicKey(), payload);
  }

  /** Seal then open one group envelope of a 200-byte payload. */
  @Benchmark
  public byte[] groupSealOpen() throws EnvelopeTooLargeException, EnvelopeException {
    return GroupEnvelope.open(keys, GroupEnvelope.seal(keys, payload, random));
  }

  /** Find the channel of a group envelope among {@link #candidates} keys (worst case: last). */
  @Benchmark
  public Object groupTagIndexTryOpen() throws EnvelopeException {
    return index.tryOpen(groupEnvelope);
  }

  /** Seal one direct (HPKE) envelope of a 200-byte payload. */
  @Benchmark
  public byte[] directSeal() throws EnvelopeTooLargeException {
    return DirectEnvelope.seal(inbox.publicKey(), payload);
  }

  /** Open one direct (HPKE) envelope of a 200-byte payload. */
  @Benchmark
  public byte[] directOpen() throws EnvelopeException {
    return DirectEnvelope.open(inbox, directEnvelope);
  }
}
