package io.spacepanda.internal.net.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.interop.JsPeer;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The network measurements of the README, all from one run on 127.0.0.1: bulk throughput over one
 * Yamux stream of a Noise-secured connection Java to Java, over a plain TCP socket, and over one
 * js-libp2p Yamux stream js to js (two Node.js peers of the interop harness, {@code --run sink});
 * connection handshake time Java to Java and js to js (TCP connect, multistream, Noise XX, Yamux);
 * heap per idle connection.
 *
 * <p>Run from {@code spacepanda-sdk/} (the js harness paths are relative to it):
 *
 * <pre>
 * mvn -o -q -pl spacepanda-sdk test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * cd spacepanda-sdk &amp;&amp; java -Xms512m -Xmx512m \
 *     -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     io.spacepanda.internal.net.bench.NetBenchmarks [MiB per throughput run, default 256]
 * </pre>
 *
 * <p>Each throughput figure is one warm-up run, then three measured runs (median and best are
 * printed); each run sends its bytes in 64 KiB writes to a sink and stops the clock once the sink
 * has read everything (it half-closes, or acknowledges, after the last byte). Handshakes: 100
 * warm-up, then 300 measured sequential dials. Heap: 20 client hosts each dial 20 server hosts
 * (one event loop thread per host, each warmed by one connection first); retained heap after GC
 * with the 400 connections idle minus before, divided by 400 (both ends of a connection live in
 * this JVM, so this counts both; half of it is one end). Not a JMH
 * benchmark because the js figure needs child processes; timings are wall clock.
 */
public final class NetBenchmarks {

  private static final String SINK = "/spacepanda/bench-sink/1.0.0";
  private static final int CHUNK = 64 * 1024;
  private static final int IN_FLIGHT_WRITES = 16;
  private static final int RUNS = 3;
  private static final SecureRandom RANDOM = new SecureRandom();

  private NetBenchmarks() {}

  /**
   * Runs every measurement and prints the results.
   *
   * @param args optional: MiB per throughput run
   * @throws Exception when a measurement fails
   */
  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
    long bytes = mib * 1024 * 1024;
    System.out.printf("java %s, %d cpus, %d MiB per throughput run%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), mib);
    double[] raw = measure(() -> rawTcp(bytes * 4)); // raw TCP is fast: more bytes, same clock
    report("raw TCP loopback (MiB/s)", raw);
    double[] yamux = measure(() -> yamuxStream(bytes));
    report("Java-Java Yamux stream over Noise (MiB/s)", yamux);
    double[] js = JsPeer.isAvailable() ? measure(() -> jsToJs(bytes)) : null;
    if (js != null) {
      report("js-js Yamux stream over Noise (MiB/s)", js);
    } else {
      System.out.println("js-js: node >= 20 and npm not found, skipped");
    }
    System.out.printf(Locale.ROOT, "Java/raw TCP = %.0f%%%s%n", 100 * median(yamux) / median(raw),
        js == null ? "" : String.format(Locale.ROOT, ", Java/js = %.2fx", median(yamux) / median(js)));
    handshakes();
    jsHandshakes();
    heapPerConnection(20);
  }

  private interface Run {
    double mibPerSecond() throws Exception;
  }

  private static double[] measure(Run run) throws Exception {
    run.mibPerSecond();
    double[] out = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      out[i] = run.mibPerSecond();
    }
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static void report(String what, double[] v) {
    System.out.printf(Locale.ROOT, "%-44s median %8.1f  best %8.1f  runs %s%n", what, median(v),
        Arrays.stream(v).max().orElse(0), Arrays.toString(Arrays.stream(v).map(Math::rint).toArray()));
  }

  private static double rate(long bytes, long nanos) {
    return bytes / 1048576.0 / (nanos / 1e9);
  }

  private static double rawTcp(long bytes) throws Exception {
    byte[] chunk = new byte[CHUNK];
    RANDOM.nextBytes(chunk);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread sink = new Thread(() -> {
        try (Socket s = server.accept()) {
          InputStream in = s.getInputStream();
          byte[] buf = new byte[CHUNK];
          long got = 0;
          while (got < bytes) {
            int n = in.read(buf);
            if (n < 0) {
              return;
            }
            got += n;
          }
          s.getOutputStream().write(1);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "raw-sink");
      sink.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        long start = System.nanoTime();
        for (long sent = 0; sent < bytes; sent += CHUNK) {
          out.write(chunk);
        }
        out.flush();
        if (s.getInputStream().read() != 1) {
          throw new IllegalStateException("sink did not acknowledge");
        }
        long took = System.nanoTime() - start;
        sink.join(5000);
        return rate(bytes, took);
      }
    }
  }

  private static Host host(int threads) {
    return Host.builder().identity(IdentitySigner.generateEd25519(RANDOM)).muxer(new YamuxMuxerFactory())
        .threads(threads).maxConnections(1000).maxPendingHandshakes(64).build();
  }

  private static void serveSink(Host h) {
    h.setProtocolHandler(SINK, (c, s, p) -> new StreamHandler() {
      @Override
      public void onData(MuxedStream stream, ByteBuf data) {
        int n = data.readableBytes();
        data.release();
        stream.consumed(n);
      }

      @Override
      public void onRemoteClose(MuxedStream stream) {
        stream.closeWrite();
      }

      @Override
      public void onReset(MuxedStream stream, StreamException cause) {}
    });
  }

  private static double yamuxStream(long bytes) throws Exception {
    byte[] chunk = new byte[CHUNK];
    RANDOM.nextBytes(chunk);
    try (Host server = host(2); Host client = host(2)) {
      serveSink(server);
      server.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
      Connection c = client.dial(server.fullListenAddresses().get(0)).get(10, TimeUnit.SECONDS);
      StreamCollector done = new StreamCollector();
      MuxedStream s = c.openStream(List.of(SINK), done).get(10, TimeUnit.SECONDS);
      Semaphore inFlight = new Semaphore(IN_FLIGHT_WRITES);
      long start = System.nanoTime();
      for (long sent = 0; sent < bytes; sent += CHUNK) {
        if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("write stalled");
        }
        s.write(Unpooled.wrappedBuffer(chunk)).whenComplete((v, e) -> inFlight.release());
      }
      s.closeWrite();
      done.done().get(60, TimeUnit.SECONDS);
      return rate(bytes, System.nanoTime() - start);
    }
  }

  private static JsPeer jsListener;

  private static double jsToJs(long bytes) throws Exception {
    if (jsListener == null) {
      jsListener = JsPeer.listen(JsPeer.Options.defaults().withTimeout(Duration.ofMinutes(10)));
      Runtime.getRuntime().addShutdownHook(new Thread(jsListener::close));
    }
    JsPeer.Options options = JsPeer.Options.defaults().withRun("sink").withEcho(bytes, CHUNK)
        .withTimeout(Duration.ofMinutes(2));
    try (JsPeer dialer = JsPeer.dial(jsListener.multiaddr(), options)) {
      List<JsonNode> results = dialer.awaitResults(Duration.ofMinutes(2));
      JsonNode r = results.get(0);
      if (r.get("bytes").asLong() != bytes) {
        throw new IllegalStateException("js sink run sent " + r);
      }
      return r.get("mibPerSecond").asDouble();
    }
  }

  /** js-libp2p dialing js-libp2p: the same handshake, 300 sequential dials after 20 warm-up. */
  private static void jsHandshakes() throws Exception {
    if (jsListener == null) {
      return;
    }
    JsPeer.Options options = JsPeer.Options.defaults().withRun("handshake").withStreams(300)
        .withTimeout(Duration.ofMinutes(5));
    try (JsPeer dialer = JsPeer.dial(jsListener.multiaddr(), options)) {
      JsonNode r = dialer.awaitResults(Duration.ofMinutes(5)).get(0);
      System.out.printf(Locale.ROOT,
          "handshake js-js (TCP+mss+Noise XX+Yamux), %d dials: median %.2f ms  p90 %.2f ms  min %.2f ms%n",
          r.get("dials").asInt(), r.get("medianMs").asDouble(), r.get("p90Ms").asDouble(),
          r.get("minMs").asDouble());
    }
  }

  private static void handshakes() throws Exception {
    try (Host server = host(1); Host client = host(1)) {
      server.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
      Multiaddr addr = server.fullListenAddresses().get(0);
      int warm = 100;
      int measured = 300;
      long[] nanos = new long[measured];
      for (int i = 0; i < warm + measured; i++) {
        long start = System.nanoTime();
        Connection c = client.dial(addr).get(10, TimeUnit.SECONDS);
        long took = System.nanoTime() - start;
        if (i >= warm) {
          nanos[i - warm] = took;
        }
        c.close();
        c.closeFuture().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.connections().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
      }
      Arrays.sort(nanos);
      System.out.printf(Locale.ROOT,
          "handshake Java-Java (TCP+mss+Noise XX+Yamux), %d dials: median %.2f ms  p90 %.2f ms  min %.2f ms%n",
          measured, nanos[measured / 2] / 1e6, nanos[measured * 9 / 10] / 1e6, nanos[0] / 1e6);
    }
  }

  private static long retainedHeap() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  private static long directMemory() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        return pool.getMemoryUsed();
      }
    }
    return -1;
  }

  /**
   * Connects {@code k} client hosts to each of {@code k} server hosts ({@code k * k} connections
   * over {@code 2k} hosts of one thread each, so per-host and per-thread costs such as allocator
   * caches are mostly paid before the baseline) and reports the retained heap they add.
   */
  private static void heapPerConnection(int k) throws Exception {
    List<Host> servers = new ArrayList<>();
    List<Host> clients = new ArrayList<>();
    try {
      List<Multiaddr> addrs = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        Host s = host(1);
        servers.add(s);
        s.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
        addrs.add(s.fullListenAddresses().get(0));
        clients.add(host(1));
      }
      // warm every host's thread (classes, allocator caches) with one connection, then close it
      for (int i = 0; i < k; i++) {
        Connection c = clients.get(i).dial(addrs.get(i)).get(10, TimeUnit.SECONDS);
        c.close();
        c.closeFuture().get(10, TimeUnit.SECONDS);
      }
      awaitConnections(servers, 0);
      long before = retainedHeap();
      long directBefore = directMemory();
      for (Host c : clients) {
        for (Multiaddr a : addrs) {
          c.dial(a).get(10, TimeUnit.SECONDS);
        }
      }
      int n = k * k;
      awaitConnections(servers, n);
      Thread.sleep(500);
      long after = retainedHeap();
      long directAfter = directMemory();
      System.out.printf(Locale.ROOT,
          "heap per idle connection (%d connections, both ends in this JVM): %.1f KiB "
              + "(%.1f KiB per end); direct buffers %+.1f KiB per connection%n",
          n, (after - before) / 1024.0 / n, (after - before) / 2048.0 / n,
          (directAfter - directBefore) / 1024.0 / n);
    } finally {
      for (Host h : clients) {
        h.close();
      }
      for (Host h : servers) {
        h.close();
      }
      if (jsListener != null) {
        jsListener.close();
      }
    }
  }

  private static void awaitConnections(List<Host> servers, int total) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      int open = 0;
      for (Host s : servers) {
        open += s.connections().size();
      }
      if (open == total) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("servers did not reach " + total + " connections");
  }
}
