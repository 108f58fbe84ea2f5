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
 * The sender's share of one channel message (issue 15 item 1: at 50 members it should cost at
 * most twice what it costs at 2): {@code send} until its future completes, that is inner payload,
 * MLS protect, group envelope, storage step and the outbox hand-off of one copy per other member
 * (each copy resealed) to the simulated transport. The receivers work only in the per-invocation
 * tear-down, which delivers the copies in virtual time outside the measured region.
 *
 * <p>Run: {@code -Dbench="SenderCostBenchmark -p members=2,50 -f 1 -wi 3 -w 1 -i 5 -r 1"}
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
    return channel.send(body, 2).join();
  }
}
