package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU per channel message through the whole node: inner payload, MLS protect, group envelope,
 * outbox (in-memory store), simulated transport, and on every other member tag lookup, open, MLS
 * decrypt, dedup and store, for a 200-byte body at channel sizes 2, 10 and 100.
 *
 * <p>{@code sendAndDeliver} covers one send and its {@code members - 1} receives; divide by the
 * number of receivers for the cost per receive. Virtual time, so no waiting is measured.
 *
 * <p>Run: {@code mvn -q -pl spacepanda-sdk -am test-compile exec:exec@bench -Dbench=PipelineBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PipelineBenchmark {

  /** Members of the channel, the sender included. */
  @Param({"2", "10", "100"})
  public int members;

  private SimSpace space;
  private SimulatedNetwork net;
  private Channel channel;
  private final byte[] body = new byte[200];

  /** Builds a space whose default channel has {@link #members} members. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    space = new SimSpace(members);
    net = space.net;
    channel = space.channel;
  }

  /** Stops every node. */
  @TearDown(Level.Trial)
  public void tearDown() {
    space.close();
  }

  /**
   * Sends one message and delivers it to every other member.
   *
   * @return the message, so that nothing is optimised away
   */
  @Benchmark
  public Object sendAndDeliver() {
    Object m = channel.send(body, 2).join();
    net.runFor(Duration.ofMillis(100));
    ops++;
    return m;
  }

  private long ops;
  private long opsAtStart;
  private long cpuAtStart;

  /** Notes this thread's CPU time at the start of an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    opsAtStart = ops;
    cpuAtStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /**
   * Prints the CPU time per received message in the iteration (everything runs on this thread),
   * to compare with {@code TcpNodeBenchmark}'s figure under the same load.
   */
  @TearDown(Level.Iteration)
  public void endIteration() {
    long received = (ops - opsAtStart) * (members - 1);
    long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuAtStart;
    if (received > 0) {
      System.out.printf("  [simulated] CPU per received message: %.1f µs (%d messages)%n",
          cpu / 1000.0 / received, received);
    }
  }
}
