package io.spacepanda.examples;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaMeterBinder;
import io.spacepanda.Storages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a Prometheus scrape of two SpacePanda nodes that chat: Alice and Bob run on this machine
 * over libp2p on TCP (loopback), each reported by a {@link SpacePandaMeterBinder} tagged with its
 * name, and send each other a message every second so that the numbers move.
 *
 * <p>The scrape is at {@code http://127.0.0.1:<port>/metrics}, served by the JDK's HTTP server on
 * the loopback interface only. Run with {@code mvn -B -q -ntp -f spacepanda-sdk-examples/pom.xml
 * exec:java -Dexample=io.spacepanda.examples.MetricsServer -Dexec.args=9464} after installing the
 * SDK, then {@code curl -s http://127.0.0.1:9464/metrics | grep spacepanda}. Stop with Ctrl-C.
 */
public final class MetricsServer implements AutoCloseable {

  /** The port when none is given: the usual one of Prometheus exporters. */
  public static final int DEFAULT_PORT = 9464;

  private static final long TIMEOUT_SECONDS = 60;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<SpacePanda> nodes = new ArrayList<>();
  private final ScheduledExecutorService chat = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "metrics-example-chat");
    t.setDaemon(true);
    return t;
  });
  private HttpServer http;

  private MetricsServer() {}

  /**
   * Starts both nodes, lets Bob join Alice's space, sends a first message each way and serves the
   * scrape; a message is then sent every second, alternately by Alice and Bob.
   *
   * @param port the TCP port on 127.0.0.1, or 0 for a free one
   * @return the running server
   * @throws Exception if a node fails to start or join, or the port is taken
   */
  public static MetricsServer start(int port) throws Exception {
    MetricsServer s = new MetricsServer();
    try {
      s.run(port);
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  private void run(int port) throws Exception {
    SpacePanda alice = node("alice");
    SpacePanda bob = node("bob");
    Space team = get(alice.createSpace("Team"));
    get(bob.join(get(team.createInvite())));
    Channel aliceGeneral = team.channel("general").orElseThrow();
    Channel bobGeneral = bob.space(team.id()).orElseThrow().channel("general").orElseThrow();
    get(aliceGeneral.send("hello bob"));
    get(bobGeneral.send("hello alice"));

    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    http.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();

    AtomicInteger n = new AtomicInteger();
    chat.scheduleWithFixedDelay(() -> {
      int i = n.incrementAndGet();
      Channel from = i % 2 == 0 ? aliceGeneral : bobGeneral;
      from.send("message " + i);
    }, 1, 1, TimeUnit.SECONDS);
  }

  private SpacePanda node(String name) throws Exception {
    SpacePandaMeterBinder meters = new SpacePandaMeterBinder(Tags.of("node", name));
    SpacePanda node = SpacePanda.builder()
        .storage(Storages.inMemory())
        .listen("/ip4/127.0.0.1/tcp/0")
        .jitter(Jitter.none())
        .eventListener(meters.eventListener())
        .build();
    nodes.add(node);
    meters.node(node).bindTo(registry);
    get(node.start());
    return node;
  }

  private static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Returns the port the scrape is served on.
   *
   * @return the bound port
   */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops the chat, the HTTP server and both nodes. */
  @Override
  public void close() {
    chat.shutdownNow();
    if (http != null) {
      http.stop(0);
    }
    for (SpacePanda node : nodes) {
      node.close();
    }
    registry.close();
  }

  /**
   * Runs until interrupted (Ctrl-C).
   *
   * @param args the port, default {@value #DEFAULT_PORT}
   * @throws Exception if the nodes or the server fail to start
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
    MetricsServer server = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    System.out.println("Serving http://127.0.0.1:" + server.port() + "/metrics"
        + " (two nodes chatting; Ctrl-C to stop)");
    stopped.await();
  }
}
