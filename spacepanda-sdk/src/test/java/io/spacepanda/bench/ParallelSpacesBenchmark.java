package io.spacepanda.bench;

import io.spacepanda.Storages;
import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Throughput of concurrent sends spread over several spaces of one node, on real threads: does
 * the node use more than one core when the work is in different spaces?
 *
 * <p>Two nodes with in-memory storage talk over the default libp2p TCP transport on 127.0.0.1
 * with {@link Jitter#none()} and the node's own default threads (no virtual time, no {@code
 * executor(...)}, so the same file also compiles against the pre-rebuild node). The first node
 * creates {@link #spaces} spaces; the second joins each, so every space's default channel has 2
 * members. One benchmark op starts {@link #MESSAGES} sends of a 200-byte body round-robin over
 * the spaces' channels without waiting in between, then waits for all their futures and for all
 * of them to be delivered to the second node (its {@code onMessage}), so the op covers send and
 * receive and no backlog carries over between ops. Both nodes share the JVM and the machine's
 * cores. The score is ops per second; multiply by {@value #MESSAGES} for messages per second.
 * Compare {@code spaces=4} with {@code spaces=1}. At the end of each trial it prints how many
 * copies failed and were left to the outbox's retry (a failed copy waits seconds, which shows as
 * a slow op).
 *
 * <p>Run: {@code mvn -B -q -ntp -o -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="ParallelSpacesBenchmark -f 1 -wi 3 -w 2 -i 5 -r 2"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParallelSpacesBenchmark {

  /** Sends started by one benchmark op. */
  static final int MESSAGES = 64;

  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
  private static final long TIMEOUT_SECONDS = 60;

  /** Spaces of the sending node; the sends of one op are spread over them round-robin. */
  @Param({"1", "4"})
  public int spaces;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private final Semaphore delivered = new Semaphore(0);
  private final byte[] body = new byte[200];
  private Channel[] channels;
  private final AtomicInteger deliveryFailures = new AtomicInteger();
  private volatile Throwable firstFailure;

  /** Starts both nodes, creates the spaces and has the second node join each of them. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SpacePanda owner = node(new SpacePandaListener() {
      @Override
      public void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {
        if (deliveryFailures.getAndIncrement() == 0) {
          firstFailure = cause;
        }
      }
    });
    SpacePanda peer = node(new SpacePandaListener() {
      @Override
      public void onMessage(Channel channel, Message message) {
        delivered.release();
      }
    });
    channels = new Channel[spaces];
    for (int i = 0; i < spaces; i++) {
      Space space = await(owner.createSpace("bench-" + i));
      await(peer.join(await(space.createInvite())));
      Channel c = space.channel("general").orElseThrow();
      waitFor(() -> c.members().size() == 2, "2 members in space " + i);
      waitFor(() -> peer.space(space.id()).flatMap(s -> s.channel("general"))
          .map(pc -> pc.members().size() == 2).orElse(false), "peer sees space " + i);
      channels[i] = c;
    }
    for (Channel c : channels) {
      await(c.send(body, 2));
    }
    if (!delivered.tryAcquire(spaces, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("first messages not delivered");
    }
  }

  private SpacePanda node(SpacePandaListener listener) throws Exception {
    SpacePanda n = SpacePanda.builder().storage(Storages.inMemory()).listen(LOOPBACK)
        .jitter(Jitter.none()).listener(listener).build();
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

  /** Stops both nodes and prints how many copies failed (each failure is retried later). */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.println("delivery failures reported to the sender: " + deliveryFailures.get()
        + (firstFailure == null ? "" : ", first: " + firstFailure));
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /**
   * Starts {@value #MESSAGES} sends round-robin over the spaces, then waits until all are stored
   * (their futures) and delivered to the second node.
   *
   * @return the last message, so that nothing is optimised away
   * @throws Exception if a send fails or a delivery takes longer than a minute
   */
  @Benchmark
  public Object sendConcurrently() throws Exception {
    CompletableFuture<?>[] sent = new CompletableFuture<?>[MESSAGES];
    for (int i = 0; i < MESSAGES; i++) {
      sent[i] = channels[i % spaces].send(body, 2);
    }
    CompletableFuture.allOf(sent).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!delivered.tryAcquire(MESSAGES, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("messages not delivered within " + TIMEOUT_SECONDS + " s");
    }
    return sent[MESSAGES - 1].join();
  }
}
