package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.Storages;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
 * Sync and mailboxes on the simulated network (virtual time, in-memory stores unless said):
 * messages per second through a four-member channel with sync on and off ({@code
 * sendAndDeliver}), and the wall time of repairing 1,000 messages a member missed beyond the
 * senders' delivery horizon ({@code repair1000}, one shot per iteration: the CPU of fetching
 * and processing, not network waits; mailboxes are off, so sync alone repairs). The setup also prints two sizes: the sync bytes an idle channel
 * costs per member and hour (envelope bytes as sent, before transport framing), and the SQLite
 * bytes of 10,000 kept mailbox envelopes of 1 KiB.
 *
 * <p>Run: {@code mvn -B -q -ntp -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="SyncBenchmark -f 1 -wi 2 -i 3"}
 */
@State(Scope.Thread)
@Fork(1)
public class SyncBenchmark {

  /** Sync on (the 30 s default) or off. */
  @Param({"on", "off"})
  public String sync;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private SimulatedNetwork net;
  private Channel channel;
  private final byte[] body = new byte[200];
  private final AtomicLong bytesSent = new AtomicLong();

  /** Builds a space of four members. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    net = new SimulatedNetwork(1);
    SpacePanda owner = node(0, Duration.ofDays(14), null);
    Space space = settle(owner.createSpace("bench"));
    for (int i = 1; i < 4; i++) {
      settle(node(i, Duration.ofDays(14), null).join(settle(space.createInvite())));
    }
    net.runFor(Duration.ofMinutes(2));
    channel = space.channel("general").orElseThrow();
    if ("on".equals(sync)) {
      bytesSent.set(0);
      net.runFor(Duration.ofHours(1));
      // two groups (control and general), four members
      System.out.println("idle sync bytes per group per member per hour: "
          + bytesSent.get() / 8);
      System.out.println("SQLite bytes per 10,000 kept mailbox envelopes of 1 KiB: "
          + mailboxBytes());
    }
  }

  private SpacePanda node(int i, Duration horizon, SpacePandaListener listener)
      throws Exception {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(i);
    Transport.Factory counted = counting(net.transportFactory());
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory())
        .transport(counted).jitter(Jitter.none()).clock(net.clock())
        .scheduler(net.scheduler()).random(r).listenerExecutor(Runnable::run)
        .deliveryHorizon(horizon).mailboxHolders(0)
        .syncInterval("off".equals(sync) ? Duration.ZERO : Duration.ofSeconds(30));
    if (listener != null) {
      b.listener(listener);
    }
    SpacePanda n = b.build();
    settle(n.start());
    nodes.add(n);
    return n;
  }

  private Transport.Factory counting(Transport.Factory inner) {
    return ctx -> {
      Transport t = inner.create(ctx);
      return new Transport() {
        @Override
        public CompletableFuture<Void> start() {
          return t.start();
        }

        @Override
        public List<String> listenAddresses() {
          return t.listenAddresses();
        }

        @Override
        public void addPeerAddress(PeerId peer, String address) {
          t.addPeerAddress(peer, address);
        }

        @Override
        public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
          bytesSent.addAndGet(envelope.length);
          return t.send(recipient, envelope);
        }

        @Override
        public Set<PeerId> connectedPeers() {
          return t.connectedPeers();
        }

        @Override
        public void close() {
          t.close();
        }
      };
    };
  }

  private <T> T settle(CompletableFuture<T> f) {
    net.runFor(Duration.ofSeconds(5));
    return f.join();
  }

  private static long mailboxBytes() throws Exception {
    Path dir = Files.createTempDirectory("spacepanda-mailbox-bench");
    try {
      try (Storage s = Storages.sqlite(dir)) {
        SecureRandom r = new SecureRandom();
        for (int batch = 0; batch < 10; batch++) {
          int b0 = batch;
          s.<Void, RuntimeException>inTransaction(t -> {
            for (int i = 0; i < 1000; i++) {
              byte[] env = new byte[1024];
              r.nextBytes(env);
              byte[] id = new byte[32];
              r.nextBytes(id);
              t.putMailboxEnvelope(new MailboxEnvelope(Id.of(new byte[38]), Id.of(id),
                  Id.of(new byte[16]), env, Instant.EPOCH.plusSeconds(b0 * 1000L + i)));
            }
            return null;
          });
        }
      }
      long before = 0;
      try (Storage s = Storages.sqlite(dir.resolveSibling(dir.getFileName() + "-empty"))) {
        before = size(dir.resolveSibling(dir.getFileName() + "-empty"));
      }
      return size(dir) - before;
    } finally {
      delete(dir);
      delete(dir.resolveSibling(dir.getFileName() + "-empty"));
    }
  }

  private static long size(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void delete(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Stops every node. */
  @TearDown(Level.Trial)
  public void tearDown() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /**
   * Sends one message and delivers it to the three other members.
   *
   * @return the message, so that nothing is optimised away
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 3, time = 2)
  public Object sendAndDeliver() {
    Object m = channel.send(body, 2).join();
    net.runFor(Duration.ofMillis(100));
    return m;
  }

  /** A member that missed 1,000 messages beyond the horizon, healed at the benchmark's start. */
  @State(Scope.Thread)
  public static class Missed {
    SimulatedNetwork net;
    final List<SpacePanda> nodes = new ArrayList<>();
    final AtomicInteger received = new AtomicInteger();

    /** Partitions carol while alice sends 1,000 messages that her outbox gives up. */
    @Setup(Level.Iteration)
    public void setUp() throws Exception {
      SyncBenchmark b = new SyncBenchmark();
      b.sync = "on";
      b.net = new SimulatedNetwork(2);
      net = b.net;
      SpacePanda alice = b.node(0, Duration.ofMinutes(1), null);
      SpacePanda bob = b.node(1, Duration.ofMinutes(1), null);
      SpacePanda carol = b.node(2, Duration.ofMinutes(1), new SpacePandaListener() {
        @Override
        public void onMessage(Channel c, Message m) {
          received.incrementAndGet();
        }
      });
      nodes.addAll(b.nodes);
      Space space = b.settle(alice.createSpace("bench"));
      b.settle(bob.join(b.settle(space.createInvite())));
      b.settle(carol.join(b.settle(space.createInvite())));
      net.runFor(Duration.ofMinutes(2));
      net.partition(Set.of(carol.peerId()), Set.of(alice.peerId(), bob.peerId()));
      Channel general = space.channel("general").orElseThrow();
      for (int i = 0; i < 1000; i++) {
        general.send("m" + i);
        if (i % 50 == 49) {
          net.runFor(Duration.ofSeconds(1));
        }
      }
      net.runFor(Duration.ofMinutes(10));
      received.set(0);
    }

    /** Stops every node. */
    @TearDown(Level.Iteration)
    public void tearDown() {
      for (SpacePanda n : nodes) {
        n.close();
      }
      nodes.clear();
    }
  }

  /**
   * Heals the partition and runs until carol has all 1,000 messages.
   *
   * @param m the prepared cluster
   * @return virtual seconds it took
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  public long repair1000(Missed m) {
    if ("off".equals(sync)) {
      return 0;
    }
    m.net.heal();
    long virtual = 0;
    while (m.received.get() < 1000 && virtual < 600) {
      m.net.runFor(Duration.ofSeconds(1));
      virtual++;
    }
    if (m.received.get() < 1000) {
      throw new IllegalStateException("repaired only " + m.received.get());
    }
    System.out.println("repair of 1,000: " + virtual + " virtual seconds");
    return virtual;
  }
}
