package io.spacepanda.internal.net.mix;

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
 * One mix node's work per packet on one thread (issue 16: at least 300 packets per second on one
 * core, under 1.5 ms each, Loopix's figures): {@code forward} processes one Sphinx packet at an
 * intermediate hop (two X25519 operations, the header MAC, the replay tag, AES-CTR over β and δ);
 * {@code build} is the sender's cost of a 3-mix packet to a recipient (4 layers).
 *
 * <p>The packet is processed again each time with the replay tag forgotten first, which costs a
 * small set allocation more than a fresh packet would.
 *
 * <p>Run: {@code mvn -B -q -ntp -o -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="MixBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MixBenchmark {

  private final SecureRandom random = new SecureRandom();
  private MixKeyRing mix;
  private byte[] packet;
  private List<Sphinx.Hop> path;

  /** Builds one packet whose first hop is the benchmarked mix. */
  @Setup
  public void setUp() {
    mix = new MixKeyRing(random, 1000);
    MixKeyRing b = new MixKeyRing(random, 10);
    MixKeyRing c = new MixKeyRing(random, 10);
    MixKeyRing d = new MixKeyRing(random, 10);
    path = List.of(new Sphinx.Hop(new byte[38], mix.publicKey()),
        new Sphinx.Hop(new byte[38], b.publicKey()), new Sphinx.Hop(new byte[38], c.publicKey()),
        new Sphinx.Hop(new byte[38], d.publicKey()));
    packet = Sphinx.build(path, new int[] {50, 50, 50, 0}, Sphinx.Kind.DELIVER, null,
        new byte[1000], random);
  }

  /**
   * Processes one packet at a mix.
   *
   * @return the forwarded packet
   * @throws MixException never for this packet
   */
  @Benchmark
  public Sphinx.Processed forward() throws MixException {
    mix.forgetTagsForBenchmark();
    return Sphinx.process(mix, packet);
  }

  /**
   * Builds one packet over three mixes to a recipient.
   *
   * @return the packet
   */
  @Benchmark
  public byte[] build() {
    return Sphinx.build(path, new int[] {50, 50, 50, 0}, Sphinx.Kind.DELIVER, null,
        new byte[1000], random);
  }
}
