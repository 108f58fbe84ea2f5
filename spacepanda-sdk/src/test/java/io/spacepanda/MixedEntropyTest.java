package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sender anonymity of the wired node against a global passive observer (issue 16): nodes built
 * with {@link PrivacyLevel#MIXED} through the public API on the simulated network, the observer
 * seeing the time, ends and size of every packet on every link (both the send and the arrival),
 * never its contents.
 *
 * <p>N senders each share a space with one recipient R and send it messages at Poisson times;
 * five dedicated mixes carry the packets. The observer's model is the one of {@code
 * MixnetSimTest} (Loopix §5): with exponential delays, every packet a mix holds is equally likely
 * to leave next, so each mix's pool is a mixture of the sender distributions of the packets that
 * entered it and a packet leaving carries the pool's mixture; a packet a mix sends with an empty
 * pool is its own, and what a sender or R sends is its own. For every packet that reaches R from
 * a mix, the entropy of its sender distribution (normalised over the N senders) is taken; the
 * issue asks for a mean of at least log2(N) − 1 bits. Acknowledgements, key fetches and
 * everything else the nodes send are on the wire too, as they would be.
 *
 * <p>The entropy grows with the traffic through the mixes (a mix's pool holds about its packet
 * rate × the 50 ms mean delay): the test runs 8 senders at 4 messages a second each, the
 * per-sender rate of the bare-mixnet test, and the bound holds (about 2.3 bits for a bound of 2).
 * At 2 messages a second each it does not (about 1.8 bits): a lighter load needs longer delays or
 * cover traffic. Other loads: {@code -Dspacepanda.entropy.rate=2 -Dspacepanda.entropy.seconds=30
 * -Dspacepanda.entropy.senders=8}.
 */
class MixedEntropyTest {

  private static final int MIXES = 5;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync().withoutMailboxes();
    System.out.println("MixedEntropyTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** One packet on one link as the observer sees it. */
  private static final class Packet {
    final PeerId from;
    final PeerId to;
    final long sentNanos;
    long arrivedNanos = -1;

    Packet(PeerId from, PeerId to, long sentNanos) {
      this.from = from;
      this.to = to;
      this.sentNanos = sentNanos;
    }
  }

  /** Records every packet's send and arrival; the bytes only match an arrival to its send. */
  private final class Observer {
    final List<Packet> packets = new ArrayList<>();
    private final Map<String, Packet> inFlight = new HashMap<>();
    boolean on;

    private String key(PeerId from, PeerId to, byte[] bytes) {
      return from + ">" + to + ">" + HexFormat.of().formatHex(bytes, 0, Math.min(64, bytes.length))
          + Arrays.hashCode(bytes);
    }

    synchronized void sent(PeerId from, PeerId to, byte[] bytes) {
      if (!on) {
        return;
      }
      Packet p = new Packet(from, to, cluster.net.now().toNanos());
      packets.add(p);
      inFlight.put(key(from, to, bytes), p);
    }

    synchronized void arrived(PeerId from, PeerId to, byte[] bytes) {
      Packet p = inFlight.remove(key(from, to, bytes));
      if (p != null) {
        p.arrivedNanos = cluster.net.now().toNanos();
      }
    }

    UnaryOperator<Transport.Factory> wrap() {
      return factory -> context -> {
        PeerId self = context.localPeer();
        TransportListener l = context.listener();
        TransportListener watched = new TransportListener() {
          @Override
          public CompletableFuture<Void> onEnvelope(PeerId from, byte[] envelope) {
            arrived(from, self, envelope);
            return l.onEnvelope(from, envelope);
          }

          @Override
          public void onPeerConnected(PeerId peer) {
            l.onPeerConnected(peer);
          }

          @Override
          public void onPeerLost(PeerId peer) {
            l.onPeerLost(peer);
          }
        };
        Transport t = factory.create(new TransportContext(self, context.identity(),
            context.listenAddresses(), context.bootstrapPeers(), watched));
        return SimCluster.interceptSends((real, to, envelope) -> {
          sent(self, to, envelope);
          return real.send(to, envelope);
        }).apply(c -> t).create(context);
      };
    }
  }

  @Test
  void globalPassiveObserver_wiredNodes_senderEntropyAtLeastLog2NMinusOne() {
    int n = Integer.getInteger("spacepanda.entropy.senders", 8);
    double perSecond = Double.parseDouble(System.getProperty("spacepanda.entropy.rate", "4"));
    int seconds = Integer.getInteger("spacepanda.entropy.seconds", 20);
    Observer observer = new Observer();
    List<PeerId> mixIds = new ArrayList<>();
    for (int i = 0; i < MIXES; i++) {
      mixIds.add(cluster.node("mix" + i, Storages.inMemory(), observer.wrap(), Jitter.none(),
          b -> b.mix(true)).id());
    }
    SimCluster.Node r = cluster.node("r", Storages.inMemory(), observer.wrap(), Jitter.none(),
        b -> b.privacyLevel(PrivacyLevel.MIXED).mixNodes(mixIds));
    List<SimCluster.Node> senders = new ArrayList<>();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SimCluster.Node s = cluster.node("s" + i, Storages.inMemory(), observer.wrap(),
          Jitter.none(), b -> b.privacyLevel(PrivacyLevel.MIXED).mixNodes(mixIds));
      Space space = cluster.await(s.node().createSpace("to r " + i));
      cluster.await(r.node().join(cluster.await(space.createInvite())));
      senders.add(s);
      channels.add(space.channel("general").orElseThrow());
    }
    cluster.settle();

    // the observer starts; every sender sends to R at Poisson times
    observer.on = true;
    Random random = new Random(seed);
    List<long[]> schedule = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      double t = 0;
      while (true) {
        t += -Math.log(1 - random.nextDouble()) / perSecond;
        if (t >= seconds) {
          break;
        }
        schedule.add(new long[] {(long) (t * 1e9), s});
      }
    }
    schedule.sort((a, b) -> Long.compare(a[0], b[0]));
    long start = cluster.net.now().toNanos();
    int before = r.events().messages.size();
    for (long[] e : schedule) {
      long wait = start + e[0] - cluster.net.now().toNanos();
      if (wait > 0) {
        cluster.run(Duration.ofNanos(wait));
      }
      channels.get((int) e[1]).send("m" + e[0]);
    }
    cluster.settle();
    observer.on = false;
    assertEquals(schedule.size(), r.events().messages.size() - before,
        "R got every message; seed " + seed);

    double[] h = observe(observer.packets, mixIds, senders.stream().map(SimCluster.Node::id)
        .toList(), r.id());
    double mean = Arrays.stream(h).average().orElseThrow();
    double bound = Math.log(n) / Math.log(2) - 1;
    System.out.printf("wired nodes, global passive observer: %d senders at %.1f msg/s each to one "
        + "recipient, %d mixes, 3 hops, 50 ms mean delay, %d packets on the wire: mean sender "
        + "entropy of %d packets into R %.2f bits (bound %.2f, max %.2f); seed %d%n", n,
        perSecond, MIXES, observer.packets.size(), h.length, mean, bound, bound + 1, seed);
    assertTrue(h.length >= schedule.size(), "every message reached R from a mix; seed " + seed);
    assertTrue(mean >= bound, "mean sender entropy " + mean + " < log2(N) - 1 = " + bound
        + "; seed " + seed);
  }

  /** The observer's estimate for every packet into R from a mix (see the class comment). */
  private static double[] observe(List<Packet> packets, List<PeerId> mixes, List<PeerId> senders,
      PeerId r) {
    int n = senders.size();
    Map<PeerId, Integer> mixIndex = new HashMap<>();
    for (int i = 0; i < mixes.size(); i++) {
      mixIndex.put(mixes.get(i), i);
    }
    Map<PeerId, Integer> senderIndex = new HashMap<>();
    for (int i = 0; i < n; i++) {
      senderIndex.put(senders.get(i), i);
    }
    List<long[]> events = new ArrayList<>(); // {time, 0 = departure / 1 = arrival, index}
    for (int i = 0; i < packets.size(); i++) {
      Packet p = packets.get(i);
      events.add(new long[] {p.sentNanos, 0, i});
      if (p.arrivedNanos >= 0) {
        events.add(new long[] {p.arrivedNanos, 1, i});
      }
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
    double[][] carried = new double[packets.size()][];
    double[][] pool = new double[mixes.size()][n + 1];
    int[] held = new int[mixes.size()];
    List<Double> out = new ArrayList<>();
    for (long[] e : events) {
      Packet p = packets.get((int) e[2]);
      Integer fromMix = mixIndex.get(p.from);
      Integer toMix = mixIndex.get(p.to);
      if (e[1] == 0) {
        double[] d;
        if (fromMix != null && held[fromMix] > 0) {
          d = pool[fromMix].clone();
          held[fromMix]--;
        } else {
          d = new double[n + 1];
          Integer s = senderIndex.get(p.from);
          d[s == null ? n : s] = 1;
        }
        carried[(int) e[2]] = d;
      } else if (toMix != null) {
        double[] d = carried[(int) e[2]];
        for (int i = 0; i <= n; i++) {
          pool[toMix][i] = (pool[toMix][i] * held[toMix] + d[i]) / (held[toMix] + 1);
        }
        held[toMix]++;
      } else if (p.to.equals(r) && fromMix != null) {
        double[] d = carried[(int) e[2]];
        double total = 0;
        for (int i = 0; i < n; i++) {
          total += d[i];
        }
        if (total < 1e-12) {
          continue;
        }
        double h = 0;
        for (int i = 0; i < n; i++) {
          double q = d[i] / total;
          if (q > 0) {
            h -= q * Math.log(q) / Math.log(2);
          }
        }
        out.add(h);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
