package io.spacepanda.internal.net.kad;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.spi.Scheduler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A simulated network of {@link KadDht} nodes on virtual time, for lookup and traffic
 * measurements: every request and response is encoded and decoded (so the codec and its bounds
 * run, and bytes are counted), delivered after a seeded random latency of 10–100 ms, and a node
 * that is offline never answers (the requester's timeout fires). Deterministic for a seed;
 * single-threaded (the test thread advances time).
 */
final class KadSim {

  /** Virtual-time event queue; tasks run on the caller of {@link #runFor}. */
  static final class Clock implements Scheduler {
    private final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) ->
        a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    private final Map<Long, Runnable> tasks = new HashMap<>();
    private long now = 1_700_000_000_000L;
    private long seq;

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      long id = seq++;
      queue.add(new long[] {now + delay.toMillis(), id});
      tasks.put(id, task);
      return () -> tasks.remove(id) != null;
    }

    long now() {
      return now;
    }

    /** Runs every task due within {@code millis} of virtual time. */
    void runFor(long millis) {
      long end = now + millis;
      while (!queue.isEmpty() && queue.peek()[0] <= end) {
        long[] e = queue.poll();
        Runnable r = tasks.remove(e[1]);
        if (r != null) {
          now = e[0];
          r.run();
        }
      }
      now = end;
    }

    /** Runs until {@code f} is done (or {@code maxMillis} passed). */
    <T> T await(CompletableFuture<T> f, long maxMillis) {
      long end = now + maxMillis;
      while (!f.isDone() && !queue.isEmpty() && queue.peek()[0] <= end) {
        long[] e = queue.poll();
        Runnable r = tasks.remove(e[1]);
        if (r != null) {
          now = e[0];
          r.run();
        }
      }
      if (!f.isDone()) {
        throw new AssertionError("future not done after " + maxMillis + " virtual ms");
      }
      return f.join();
    }
  }

  /** One simulated node. */
  final class Node implements KadNetwork {
    final PeerId id;
    final KadPeer peer;
    final KadDht dht;
    boolean online = true;
    /** A misbehaving node answers every request with this instead (null: behaves). */
    java.util.function.Function<KadMessage, KadMessage> liar;
    long bytesSent;
    long bytesReceived;

    Node(PeerId id, Multiaddr addr, KadConfig config) {
      this.id = id;
      this.peer = new KadPeer(id, List.of(addr));
      this.dht = new KadDht(id, () -> List.of(addr), this, clock, clock::now, new Random(random.nextLong()),
          config, Validators.defaults());
    }

    @Override
    public CompletableFuture<KadMessage> send(KadPeer to, KadMessage request) {
      CompletableFuture<KadMessage> out = new CompletableFuture<>();
      Node target = byId.get(to.id());
      byte[] req = request.encode();
      bytesSent += req.length + 4;
      if (target == null) {
        clock.schedule(Duration.ofMillis(latency()), () -> out.completeExceptionally(new KadException("no such peer")));
        return out;
      }
      clock.schedule(Duration.ofMillis(latency()), () -> {
        if (!target.online || !online) {
          return; // lost: the requester's timeout fires
        }
        target.bytesReceived += req.length + 4;
        KadMessage resp;
        try {
          KadMessage in = KadMessage.decode(req);
          target.dht.peerSeen(peer); // every simulated node serves the DHT
          resp = target.liar != null ? target.liar.apply(in) : target.dht.handle(id, in);
        } catch (KadException e) {
          clock.schedule(Duration.ofMillis(latency()), () -> out.completeExceptionally(e));
          return;
        }
        if (resp == null) {
          out.complete(null);
          return;
        }
        byte[] bytes = resp.encode();
        target.bytesSent += bytes.length + 4;
        clock.schedule(Duration.ofMillis(latency()), () -> {
          bytesReceived += bytes.length + 4;
          try {
            out.complete(KadMessage.decode(bytes));
          } catch (KadException e) {
            out.completeExceptionally(e);
          }
        });
      });
      return out;
    }
  }

  final Clock clock = new Clock();
  final Random random;
  final List<Node> nodes = new ArrayList<>();
  final Map<PeerId, Node> byId = new HashMap<>();

  KadSim(long seed) {
    this.random = new Random(seed);
  }

  long latency() {
    return 10 + random.nextInt(91);
  }

  /** Adds {@code n} nodes with random sha2-256 peer ids and random public IPv4 addresses. */
  List<Node> addNodes(int n, KadConfig config) {
    List<Node> added = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] mh = new byte[34];
      random.nextBytes(mh);
      mh[0] = 0x12;
      mh[1] = 0x20;
      PeerId id = PeerId.fromBytes(mh);
      byte[] ip = {(byte) (11 + random.nextInt(180)), (byte) random.nextInt(256), (byte) random.nextInt(256),
          (byte) (1 + random.nextInt(250))};
      Multiaddr addr;
      try {
        addr = Multiaddr.tcp(InetAddress.getByAddress(ip), 4001);
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
      Node node = new Node(id, addr, config);
      nodes.add(node);
      byId.put(id, node);
      added.add(node);
    }
    return added;
  }

  /**
   * Fills every routing table as a long-running, refreshed network converges to: for each bucket
   * of each node, up to k peers drawn at random from all nodes in that bucket's range (the nodes
   * sharing exactly that prefix with it), found by binary search over the sorted ids.
   */
  void convergeTables(int k) {
    int n = nodes.size();
    byte[][] ids = new byte[n][];
    Integer[] order = new Integer[n];
    Map<Node, byte[]> idOf = new HashMap<>();
    for (int i = 0; i < n; i++) {
      order[i] = i;
      idOf.put(nodes.get(i), sha(nodes.get(i).id.bytes()));
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(idOf.get(nodes.get(a)), idOf.get(nodes.get(b))));
    for (int i = 0; i < n; i++) {
      ids[i] = idOf.get(nodes.get(order[i]));
    }
    for (int i = 0; i < n; i++) {
      Node self = nodes.get(order[i]);
      byte[] me = ids[i];
      List<KadPeer> peers = new ArrayList<>();
      for (int cpl = 0; cpl < 40; cpl++) {
        // Range of ids that share exactly cpl bits with me: prefix = my first cpl bits, then the
        // flipped bit cpl.
        byte[] lo = prefixBound(me, cpl, false);
        byte[] hi = prefixBound(me, cpl, true);
        int from = lowerBound(ids, lo);
        int to = upperBound(ids, hi);
        int count = to - from;
        if (count <= 0) {
          continue;
        }
        List<Integer> pick = new ArrayList<>();
        for (int j = from; j < to; j++) {
          pick.add(j);
        }
        java.util.Collections.shuffle(pick, random);
        for (int j = 0; j < Math.min(k, pick.size()); j++) {
          peers.add(nodes.get(order[pick.get(j)]).peer);
        }
      }
      self.dht.addPeers(peers);
    }
  }

  private static byte[] prefixBound(byte[] me, int cpl, boolean high) {
    byte[] out = new byte[me.length];
    for (int bit = 0; bit < out.length * 8; bit++) {
      int v;
      if (bit < cpl) {
        v = (me[bit / 8] >> (7 - bit % 8)) & 1;
      } else if (bit == cpl) {
        v = 1 - ((me[bit / 8] >> (7 - bit % 8)) & 1);
      } else {
        v = high ? 1 : 0;
      }
      if (v == 1) {
        out[bit / 8] |= (byte) (1 << (7 - bit % 8));
      }
    }
    return out;
  }

  private static int lowerBound(byte[][] ids, byte[] key) {
    int lo = 0;
    int hi = ids.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Arrays.compareUnsigned(ids[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(byte[][] ids, byte[] key) {
    int lo = 0;
    int hi = ids.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Arrays.compareUnsigned(ids[mid], key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static byte[] sha(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  Node node(int i) {
    return nodes.get(i);
  }

  static <T> T check(T value) {
    return Objects.requireNonNull(value);
  }
}
