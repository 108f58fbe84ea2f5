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

/**
 * The sender's share of one channel message (issue 15 item 1: at 50 members it should cost at
 * most twice what it costs at 2): {@code send} until its future completes, that is inner payload,
 * MLS protect, group envelope, storage step and the outbox hand-off of one copy per other member
 * (each copy resealed) to the simulated transport. The receivers work only in the per-invocation
 * tear-down, which delivers the copies in virtual time outside the measured region.
 *
 * <p>Wall time swings with the machine's load, so each iteration also prints the sender's CPU time
 * per send (the benchmark thread's, which runs the whole simulated node: {@code
 * getCurrentThreadCpuTime} around each {@code send} only), and the trial ends with the median of
 * the iterations' figures: compare those between {@code members=2} and {@code members=50}.
 *
 * <p>Run: {@code -Dbench="SenderCostBenchmark -p members=2,50 -f 3 -wi 5 -w 1 -i 10 -r 1"}
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
    space = new SimSpace(members);
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
      System.out.printf("  [members=%d] sender CPU per send, median of %d iterations: %.1f µs%n",
          members, sorted.size(), sorted.get(sorted.size() / 2));
    }
  }

  /** Starts counting the sender's CPU time for an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    cpuNanos = 0;
    sends = 0;
  }

  /** Prints the sender's CPU time per send in the iteration. */
  @TearDown(Level.Iteration)
  public void endIteration() {
    if (sends > 0) {
      double us = cpuNanos / 1000.0 / sends;
      cpuPerSend.add(us);
      System.out.printf("  [members=%d] sender CPU per send: %.1f µs (%d sends)%n", members, us,
          sends);
    }
  }

  /** Delivers the last message's copies to the receivers, outside the measured region. */
  @TearDown(Level.Invocation)
  public void deliver() {
    net.runFor(Duration.ofMillis(100));
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
    cpuNanos += threads.getCurrentThreadCpuTime() - start;
    sends++;
    return sent;
  }
}
