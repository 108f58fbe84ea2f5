package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The sender's share of one channel message (issue 15 item 1: at 50 members it should cost at
 * most twice what it costs at 2).
 *
 * <p>Measured (JMH's score): {@code send} until its future completes, that is inner payload, MLS
 * protect, group envelope and the storage step with one outbox entry per other member, then one
 * virtual millisecond in which the copies leave: each through the outbound chain (window, reseal
 * of each copy, simulated transport). Links take 10 virtual ms, so no receiver works in it. The
 * per-invocation tear-down then runs the receivers (virtual ms 1–15, not measured) and the
 * acknowledgements coming back to the sender (from 15 ms on).
 *
 * <p>Wall time swings with the machine's load, so each iteration also prints the sender's CPU time
 * per message ({@code getCurrentThreadCpuTime}: the benchmark thread runs every simulated node),
 * counting the measured region and the acknowledgement phase, and the trial ends with the median
 * over the measured iterations: compare those between {@code members=2} and {@code members=50}.
 * Every node syncs once a day only, so no periodic sync round lands in the measured phases.
 *
 * <p>Run: {@code -Dbench="SenderCostBenchmark -p members=2,50 -f 1 -wi 5 -w 1 -i 10 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SenderCostBenchmark {

  /** Members of the channel, the sender included. */
  @Param({"2", "50"})
  public int members;

  private SimSpace space;
  private SimulatedNetwork net;
  private Channel channel;
  private final byte[] body = new byte[200];
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long cpuNanos;
  private long sends;
  private final List<Double> cpuPerSend = new ArrayList<>();

  /** Builds a space whose default channel has {@link #members} members. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    // Sync rounds once a day (jittered: 12 to 36 virtual hours), so that none of the 50 nodes'
    // periodic rounds falls into a measured acknowledgement phase (the run lasts minutes of
    // virtual time); before, they did at random and swung the 50-member figure up to 11x.
    space = new SimSpace(members, Duration.ofDays(1));
    net = space.net;
    channel = space.channel;
  }

  /** Stops every node and prints the median CPU time per send over the iterations. */
  @TearDown(Level.Trial)
  public void tearDown() {
    space.close();
    if (!cpuPerSend.isEmpty()) {
      List<Double> sorted = new ArrayList<>(cpuPerSend);
      Collections.sort(sorted);
      System.out.printf(
          "  [members=%d] sender CPU per message, median of %d measured iterations: %.1f µs%n",
          members, sorted.size(), sorted.get(sorted.size() / 2));
    }
  }

  /** Starts counting the sender's CPU time for an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    cpuNanos = 0;
    sends = 0;
  }

  /**
   * Prints the sender's CPU time per send in the iteration; keeps measured iterations' figures.
   *
   * @param iteration which iteration ended (warm-up or measurement)
   */
  @TearDown(Level.Iteration)
  public void endIteration(IterationParams iteration) {
    if (sends > 0) {
      double us = cpuNanos / 1000.0 / sends;
      if (iteration.getType() == IterationType.MEASUREMENT) {
        cpuPerSend.add(us);
      }
      System.out.printf("  [members=%d] sender CPU per message: %.1f µs (%d sends)%n", members, us,
          sends);
    }
  }

  /**
   * Runs the receivers (not counted), then the acknowledgements reaching the sender (its CPU time
   * counted).
   */
  @TearDown(Level.Invocation)
  public void deliver() {
    net.runFor(Duration.ofMillis(14));
    long start = threads.getCurrentThreadCpuTime();
    net.runFor(Duration.ofMillis(86));
    cpuNanos += threads.getCurrentThreadCpuTime() - start;
  }

  /**
   * Sends one message; returns when the sender's work for it is done.
   *
   * @return the message, so that nothing is optimised away
   */
  @Benchmark
  public Object send() {
    long start = threads.getCurrentThreadCpuTime();
    Object sent = channel.send(body, 2).join();
    net.runFor(Duration.ofMillis(1));
    cpuNanos += threads.getCurrentThreadCpuTime() - start;
    sends++;
    return sent;
  }
}
