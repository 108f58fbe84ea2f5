package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.NodeEventListener;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.Storages;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * What the operational event listener costs on the send path: {@code sendAndDeliver} of {@link
 * PipelineBenchmark} (one 200-byte message to a channel of two, sent, stored, delivered and
 * acknowledged on the simulated network) with no listener set, with an explicitly set no-op
 * listener, and with a listener that counts every event in {@link LongAdder}s.
 *
 * <p>Run: {@code mvn -q -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="EventListenerBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventListenerBenchmark {

  /** Which listener every node gets: none set, a no-op one set explicitly, or a counting one. */
  @Param({"unset", "noop", "counting"})
  public String listener;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private SimulatedNetwork net;
  private Channel channel;
  private final byte[] body = new byte[200];

  /** Counts every event; what a metrics listener does at least. */
  static final class Counting implements NodeEventListener {
    final LongAdder events = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder nanos = new LongAdder();

    @Override
    public void envelopeReceived(int size) {
      events.increment();
      bytes.add(size);
    }

    @Override
    public void messageSent(String channelId, int recipients) {
      events.increment();
    }

    @Override
    public void messageReceived(String channelId) {
      events.increment();
    }

    @Override
    public void copyDelivered(PeerId recipient) {
      events.increment();
    }

    @Override
    public void stepCommitted(ActorKind kind, long stepNanos) {
      events.increment();
      nanos.add(stepNanos);
    }
  }

  /** Builds a space of two whose default channel is the one sent to. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    net = new SimulatedNetwork(1);
    SpacePanda owner = node(0);
    Space space = settle(owner.createSpace("bench"));
    SpacePanda other = node(1);
    settle(other.join(settle(space.createInvite())));
    net.runFor(Duration.ofMinutes(1));
    channel = space.channel("general").orElseThrow();
    if (channel.members().size() != 2) {
      throw new IllegalStateException("channel has " + channel.members().size() + " members");
    }
  }

  private SpacePanda node(int i) throws NoSuchAlgorithmException {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(i);
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory())
        .transport(net.transportFactory()).jitter(Jitter.none()).clock(net.clock())
        .scheduler(net.scheduler()).random(r).listenerExecutor(Runnable::run);
    switch (listener) {
      case "noop" -> b.eventListener(new NodeEventListener() {});
      case "counting" -> b.eventListener(new Counting());
      default -> { }
    }
    SpacePanda n = b.build();
    settle(n.start());
    nodes.add(n);
    return n;
  }

  private <T> T settle(CompletableFuture<T> f) {
    net.runFor(Duration.ofSeconds(5));
    return f.join();
  }

  /** Stops every node. */
  @TearDown(Level.Trial)
  public void tearDown() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /**
   * Sends one message and delivers it to the other member.
   *
   * @return the message, so that nothing is optimised away
   */
  @Benchmark
  public Object sendAndDeliver() {
    Object m = channel.send(body, 2).join();
    net.runFor(Duration.ofMillis(100));
    return m;
  }
}
