package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.Storages;
import io.spacepanda.internal.net.transport.Libp2pTransport;
import io.spacepanda.internal.net.transport.Libp2pTransportConfig;
import io.spacepanda.spi.Transport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
 * Node to node over real TCP on 127.0.0.1 (libp2p: Noise, Yamux), two nodes in this JVM with
 * in-memory storage and {@link Jitter#none()}: latency from {@code send} to the receiver's {@code
 * onMessage}, and messages per second from one sender to one member.
 *
 * <p>{@code latency} (sample time: JMH prints p50, p90, p99) sends one 200-byte message and waits
 * for it to arrive. {@code burst} (throughput) sends {@value #BURST} messages without waiting and
 * waits until all arrived; messages per second = ops/s × {@value #BURST}. After each iteration the
 * CPU time of both nodes' Java threads (and of the whole process, with JIT and GC) divided by the
 * messages received in it is printed as "CPU per received message": compare with {@code
 * PipelineBenchmark} (the same node on the simulated network, one thread, so its time per op is
 * its CPU).
 *
 * <p>{@code transport=stream} is the default transport (one envelope stream per peer); {@code
 * transport=legacy} is {@link Libp2pTransport#legacyFactory} (one stream and one multistream
 * negotiation per envelope, as before issue 15), both in the same run.
 *
 * <p>Run: {@code mvn -B -q -ntp -o -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="TcpNodeBenchmark -f 1 -wi 3 -w 2 -i 5 -r 2"}
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TcpNodeBenchmark {

  /** Messages of one {@code burst} op. */
  static final int BURST = 256;

  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
  private static final long TIMEOUT_SECONDS = 60;

  /** {@code stream}: envelope streams; {@code legacy}: one stream per envelope. */
  @Param({"stream", "legacy"})
  public String transport;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private final Semaphore delivered = new Semaphore(0);
  private final AtomicLong received = new AtomicLong();
  private final byte[] body = new byte[200];
  private Channel channel;
  private long cpuAtStart;
  private long threadCpuAtStart;
  private long receivedAtStart;

  /** Starts both nodes and has the second join the first's space. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Transport.Factory factory = "legacy".equals(transport)
        ? Libp2pTransport.legacyFactory(Libp2pTransportConfig.defaults())
        : Libp2pTransport.factory();
    SpacePanda owner = node(factory, new SpacePandaListener() {});
    SpacePanda peer = node(factory, new SpacePandaListener() {
      @Override
      public void onMessage(Channel c, Message message) {
        received.incrementAndGet();
        delivered.release();
      }
    });
    Space space = await(owner.createSpace("bench"));
    await(peer.join(await(space.createInvite())));
    Channel c = space.channel("general").orElseThrow();
    waitFor(() -> c.members().size() == 2, "2 members");
    waitFor(() -> peer.space(space.id()).flatMap(s -> s.channel("general"))
        .map(pc -> pc.members().size() == 2).orElse(false), "peer sees the channel");
    channel = c;
    await(channel.send(body, 2));
    if (!delivered.tryAcquire(1, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("first message not delivered");
    }
  }

  private SpacePanda node(Transport.Factory factory, SpacePandaListener listener) throws Exception {
    SpacePanda n = SpacePanda.builder().storage(Storages.inMemory()).listen(LOOPBACK)
        .transport(factory).jitter(Jitter.none()).listener(listener).build();
    nodes.add(n);
    await(n.start());
    return n;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Notes the process CPU time at the start of an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    cpuAtStart = processCpuNanos();
    threadCpuAtStart = threadCpuNanos();
    receivedAtStart = received.get();
  }

  /** Prints the process CPU time per message received in the iteration. */
  @TearDown(Level.Iteration)
  public void endIteration() {
    long messages = received.get() - receivedAtStart;
    long cpu = processCpuNanos() - cpuAtStart;
    long threads = threadCpuNanos() - threadCpuAtStart;
    if (messages > 0) {
      System.out.printf("  [%s] CPU per received message: %.1f µs in Java threads, %.1f µs in the"
              + " process with JIT and GC (%d messages)%n",
          transport, threads / 1000.0 / messages, cpu / 1000.0 / messages, messages);
    }
  }

  /** CPU time of the live Java threads (JIT compiler and GC threads are not among them). */
  static long threadCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }

  static long processCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
  }

  /** Stops both nodes. */
  @TearDown(Level.Trial)
  public void tearDown() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /**
   * Sends one message and waits until the other node's {@code onMessage} saw it.
   *
   * @return the send's result
   * @throws Exception if it is not delivered within a minute
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object latency() throws Exception {
    CompletableFuture<?> sent = channel.send(body, 2);
    if (!delivered.tryAcquire(1, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("message not delivered within " + TIMEOUT_SECONDS + " s");
    }
    return sent.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Sends {@value #BURST} messages without waiting in between, then waits until all arrived.
   *
   * @return the last send's result
   * @throws Exception if they are not delivered within a minute
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Object burst() throws Exception {
    CompletableFuture<?>[] sent = new CompletableFuture<?>[BURST];
    for (int i = 0; i < BURST; i++) {
      sent[i] = channel.send(body, 2);
    }
    CompletableFuture.allOf(sent).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!delivered.tryAcquire(BURST, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("messages not delivered within " + TIMEOUT_SECONDS + " s");
    }
    return sent[BURST - 1].join();
  }
}
