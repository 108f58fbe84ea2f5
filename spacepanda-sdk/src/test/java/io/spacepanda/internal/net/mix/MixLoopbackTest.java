package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.Scheduler;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Twenty mix nodes on loopback TCP (libp2p hosts: Noise, Yamux, {@code /mix/1.0.0} streams), real
 * time, default delays (3 hops, 50 ms mean): every message arrives once and is acknowledged
 * through its reply block, and every stream carried exactly one packet of the one size. Prints the
 * end-to-end latency; asserts no timing (issue 16 asks for p50 ≤ 0.5 s and p99 ≤ 2 s: measured and
 * reported in README).
 */
class MixLoopbackTest {

  @Test
  void twentyNodesOnLoopback_deliverAndAcknowledge_measureLatency() throws Exception {
    int n = 20;
    SecureRandom random = new SecureRandom();
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    Scheduler scheduler = Scheduler.of(timers);
    MixDirectory.Static directory = new MixDirectory.Static();
    Map<String, Multiaddr> book = new ConcurrentHashMap<>();
    List<Host> hosts = new ArrayList<>();
    List<MixNode> nodes = new ArrayList<>();
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    Map<Long, Integer> received = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong failures = new AtomicLong();
    List<AtomicLong> wrongSizes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Host h = Host.builder().identity(IdentitySigner.of(IdentityKey.generate(random)))
            .muxer(new YamuxMuxerFactory()).threads(1).build();
        hosts.add(h);
        h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(30, TimeUnit.SECONDS);
        byte[] address = h.peerId().bytes();
        book.put(HexFormat.of().formatHex(address), h.fullListenAddresses().get(0));
        MixNode node = new MixNode(address, MixConfig.defaults(), directory,
            MixStreams.link(h, a -> book.get(HexFormat.of().formatHex(a)), failures), scheduler,
            new SecureRandom(), body -> {
              long id = ByteBuffer.wrap(body).getLong();
              received.merge(id, 1, Integer::sum);
              latencies.add(System.nanoTime() - sentAt.get(id));
              return CompletableFuture.completedFuture(null);
            });
        wrongSizes.add(MixStreams.serve(h, node::receive));
        nodes.add(node);
      }
      nodes.forEach(MixNode::start);
      List<CompletableFuture<Void>> acks = new ArrayList<>();
      long next = 0;
      for (int round = 0; round < 10; round++) {
        for (int from = 0; from < n; from++) {
          int to = (from + 1 + random.nextInt(n - 1)) % n;
          long id = next++;
          sentAt.put(id, System.nanoTime());
          acks.add(nodes.get(from).send(nodes.get(to).info(),
              ByteBuffer.allocate(300).putLong(id).array(), true));
        }
        Thread.sleep(100);
      }
      try {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        long acked = acks.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        StringBuilder drops = new StringBuilder();
        for (MixException.Reason r : MixException.Reason.values()) {
          drops.append(r).append('=').append(nodes.stream().mapToLong(x -> x.dropped(r)).sum())
              .append(' ');
        }
        throw new AssertionError("acked " + acked + " of " + next + ", received "
            + received.size() + ", send failures " + failures.get() + ", wrong sizes "
            + wrongSizes.stream().mapToLong(AtomicLong::get).sum() + ", drops " + drops, e);
      }
      assertEquals(next, received.size(), "every message arrived");
      assertTrue(received.values().stream().allMatch(c -> c == 1), "once each");
      assertEquals(0, failures.get(), "no packet failed to leave");
      assertEquals(0, wrongSizes.stream().mapToLong(AtomicLong::get).sum(),
          "every stream carried one packet of one size");
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf("20-node loopback mixnet (TCP, Noise, Yamux), 3 hops, 50 ms mean delay: "
          + "%d messages, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; load average %s%n",
          sorted.size(), sorted.get(sorted.size() / 2) / 1e6,
          sorted.get(sorted.size() * 99 / 100) / 1e6, sorted.get(sorted.size() - 1) / 1e6,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    } finally {
      nodes.forEach(MixNode::close);
      hosts.forEach(Host::close);
      timers.shutdownNow();
    }
  }
}
