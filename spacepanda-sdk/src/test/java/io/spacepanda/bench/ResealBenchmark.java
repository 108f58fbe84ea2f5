package io.spacepanda.bench;

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
 * What sealing each copy afresh costs per copy (issue 16, item 1): the outbound chain finds the
 * epoch keys by tag among {@code candidates} epochs and re-encrypts a 1 KiB group envelope under a
 * fresh nonce.
 *
 * <p>Run: {@code mvn -B -q -ntp -o -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="ResealBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResealBenchmark {

  /** Epoch keys the node holds (the matching one is added last, the worst case). */
  @Param({"1", "10"})
  public int candidates;

  private final SecureRandom random = new SecureRandom();
  private final TagIndex<Integer> tags = new TagIndex<>();
  private byte[] envelope;

  /**
   * Seals one envelope and fills the index.
   *
   * @throws Exception never
   */
  @Setup
  public void setUp() throws Exception {
    GroupEnvelopeKeys keys = null;
    for (int i = 0; i < candidates; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      keys = GroupEnvelopeKeys.derive(secret);
      tags.put(i, keys);
    }
    envelope = GroupEnvelope.seal(keys, new byte[900], random);
  }

  /**
   * Reseals the envelope.
   *
   * @return the fresh copy
   * @throws Exception never
   */
  @Benchmark
  public byte[] reseal() throws Exception {
    return tags.reseal(envelope, random).orElseThrow();
  }
}
