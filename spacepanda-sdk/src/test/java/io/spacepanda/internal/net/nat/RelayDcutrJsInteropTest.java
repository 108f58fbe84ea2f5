package io.spacepanda.internal.net.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.dcutr.Dcutr;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.EchoProtocol;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.interop.JsPeer;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConfig;
import io.spacepanda.internal.net.relay.RelayService;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Circuit relay v2 and DCUtR against js-libp2p ({@code @libp2p/circuit-relay-v2} 4.2.13, {@code
 * @libp2p/dcutr} 3.0.28 on {@code libp2p} 3.3.11) over 127.0.0.1, with two js processes for the
 * whole class: a js relay, and a js client whose only announced address is a closed local port
 * (so every hole punch fails and the relayed connection must stay usable).
 *
 * <p>Covered: a Java node reserves on the js relay (limits and voucher checked) and is reached
 * through it by a Java and by a js dialer; a js node reserves on a Java relay and is reached
 * through it by a Java and by a js dialer; DCUtR CONNECT/SYNC exchanged with js in both roles,
 * then the fallback to the relayed connection. Skipped when {@code node} 20+ or {@code npm} is
 * missing.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RelayDcutrJsInteropTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final Multiaddr LOOPBACK = Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0);
  private static RelayJsPeer jsRelay;
  private static RelayJsPeer jsClient;
  /** Bound, never listening: connections to its port are refused for the whole class. */
  private static Socket closedPort;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startJs() throws Exception {
    assumeTrue(JsPeer.isAvailable(), "node >= 20 and npm are needed");
    closedPort = new Socket();
    closedPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    jsRelay = RelayJsPeer.start("--relay");
    jsClient = RelayJsPeer.start("--announce", unreachable().toString());
  }

  @AfterAll
  static void stopJs() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {jsClient, jsRelay, closedPort}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** An address that looks public to js's DCUtR (a DNS name) and refuses every connection. */
  private static Multiaddr unreachable() throws Exception {
    return Multiaddr.parse("/dns4/localhost/tcp/" + closedPort.getLocalPort());
  }

  private record Node(Host host, IdentitySigner identity, Multiaddr addr) {}

  private Node node() throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(RANDOM);
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).reusePort(true)
        .handshakeTimeout(Duration.ofSeconds(5)).build();
    closing.add(h);
    h.setProtocolHandler(EchoProtocol.ID, new EchoProtocol());
    h.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    return new Node(h, id, h.fullListenAddresses().get(0));
  }

  private RelayClient client(Node n) {
    RelayClient c = new RelayClient(n.host, Clock.systemUTC(), Duration.ofSeconds(10));
    closing.add(c);
    return c;
  }

  private RelayService relay(Node n) {
    RelayService s = new RelayService(n.host, n.identity, RelayConfig.defaults(), Clock.systemUTC());
    closing.add(s);
    return s;
  }

  /** DCUtR that offers only the refused address, so the peer's punch fails. */
  private Dcutr dcutr(Node n, boolean automatic) throws Exception {
    Multiaddr offered = unreachable();
    Dcutr d = new Dcutr(n.host, () -> List.of(offered), Duration.ofSeconds(3), automatic);
    closing.add(d);
    return d;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 1200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), () -> what + " not reached within 30 s; js DCUtR log: " + jsEvents());
  }

  private static String jsEvents() {
    try {
      return jsClient.call(RelayJsPeer.cmd("dcutr")).path("events").toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static byte[] echo(Connection c, byte[] payload) throws Exception {
    StreamCollector collector = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EchoProtocol.ID), collector));
    for (int off = 0; off < payload.length; off += 16 * 1024) {
      await(s.write(Unpooled.wrappedBuffer(payload, off, Math.min(16 * 1024, payload.length - off))));
    }
    s.closeWrite();
    return await(collector.done());
  }

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] jsEcho(RelayJsPeer js, Multiaddr target, byte[] data) throws Exception {
    JsonNode r = js.call(RelayJsPeer.cmd("echo", "addr", target.toString(), "data", HEX.formatHex(data)));
    return HEX.parseHex(r.path("data").asText());
  }

  private static Multiaddr circuit(String relayAddr, PeerId target) throws Exception {
    return Multiaddr.parse(relayAddr + "/p2p-circuit/p2p/" + target.toBase58());
  }

  private static long count(RelayJsPeer js, String prefix) throws Exception {
    long n = 0;
    for (JsonNode e : js.call(RelayJsPeer.cmd("dcutr")).path("events")) {
      if (e.asText().startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  private static boolean countReaches(RelayJsPeer js, String prefix, long n) {
    try {
      return count(js, prefix) >= n;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void javaReservesOnJsRelay_andIsReachedThroughItByJavaAndJs() throws Exception {
    Node a = node();
    RelayClient.Held held = await(client(a).reserve(await(a.host.dial(Multiaddr.parse(jsRelay.multiaddr())))));
    assertEquals(jsRelay.peerId(), held.relay().toBase58());
    assertNotNull(held.limitOrNull(), "js relays apply a default limit");
    // the spec says seconds; js relays send milliseconds (120000) and enforce 2 minutes
    assertTrue(held.limitOrNull().durationSeconds() == 120 || held.limitOrNull().durationSeconds() == 120_000,
        held.limitOrNull()::toString);
    assertEquals(128 * 1024, held.limitOrNull().dataBytes());
    assertTrue(a.host.advertisedAddresses().contains(held.circuitAddress()));
    JsonNode reservations = jsRelay.call(RelayJsPeer.cmd("reservations"));
    assertTrue(reservations.path("peers").toString().contains(a.host.peerId().toBase58()), reservations::toString);

    Node b = node();
    client(b);
    Connection viaJs = await(b.host.dial(circuit(jsRelay.multiaddr(), a.host.peerId())));
    assertTrue(viaJs.isRelayed());
    assertEquals(a.host.peerId(), viaJs.remotePeerId());
    byte[] data = payload(40_000);
    assertArrayEquals(data, echo(viaJs, data));

    byte[] fromJs = payload(10_000);
    assertArrayEquals(fromJs, jsEcho(jsClient, circuit(jsRelay.multiaddr(), a.host.peerId()), fromJs));
  }

  @Test
  void javaRelayServesJsClient_reachedThroughItByJavaAndJs() throws Exception {
    Node r = node();
    RelayService service = relay(r);
    PeerId js = PeerId.parse(jsClient.peerId());
    jsClient.call(RelayJsPeer.cmd("reserve", "relay", r.addr.toString()));
    eventually("the js reservation", () -> service.hasReservation(js));

    Node b = node();
    client(b);
    Connection viaJava = await(b.host.dial(circuit(r.addr.toString(), js)));
    assertTrue(viaJava.isRelayed());
    assertEquals(js, viaJava.remotePeerId());
    byte[] data = payload(40_000);
    assertArrayEquals(data, echo(viaJava, data));

    byte[] jsToJs = payload(10_000);
    assertArrayEquals(jsToJs, jsEcho(jsRelay, circuit(r.addr.toString(), js), jsToJs));
    assertTrue(service.circuitsOpened() >= 2);
  }

  @Test
  void dcutr_jsAsUpgrader_exchangesConnectAndSyncWithJava_andTheRelayedConnectionStays() throws Exception {
    Node r = node();
    RelayService service = relay(r);
    PeerId js = PeerId.parse(jsClient.peerId());
    jsClient.call(RelayJsPeer.cmd("reserve", "relay", r.addr.toString()));
    eventually("the js reservation", () -> service.hasReservation(js));
    Node a = node();
    client(a);
    Dcutr da = dcutr(a, false);
    long syncsBefore = count(jsClient, "A sending sync");

    // Java dials js through the relay: js received the relayed connection, so js starts DCUtR (B)
    Connection relayed = await(a.host.dial(circuit(r.addr.toString(), js)));
    assertTrue(relayed.isRelayed());
    eventually("three DCUtR rounds from js", () -> da.syncsReceived() >= 3);
    assertTrue(da.connectsAnswered() >= 3);
    eventually("js logging its SYNCs", () -> countReaches(jsClient, "A sending sync", syncsBefore + 3));
    // js logs its dial after its SYNC went out: wait for the line rather than race it
    eventually("js dialing after each SYNC", () -> countReaches(jsClient, "B dialing", 3));

    // every punch failed: the relayed connection is still the one, and it works
    Connection now = a.host.connectionOrNull(js);
    assertNotNull(now);
    assertTrue(now.isRelayed());
    byte[] data = payload(5_000);
    assertArrayEquals(data, echo(now, data));
  }

  @Test
  void dcutr_javaAsUpgrader_exchangesConnectAndSyncWithJs_andFallsBackToTheRelay() throws Exception {
    Node b = node();
    Dcutr db = dcutr(b, false);
    RelayClient cb = client(b);
    await(cb.reserve(await(b.host.dial(Multiaddr.parse(jsRelay.multiaddr())))));
    PeerId js = PeerId.parse(jsClient.peerId());
    long syncsBefore = count(jsClient, "A receiving sync");

    // js dials Java through the js relay: Java received the relayed connection, so Java is B
    JsonNode dialed = jsClient.call(RelayJsPeer.cmd("dial", "addr",
        circuit(jsRelay.multiaddr(), b.host.peerId()).toString()));
    assertTrue(dialed.path("limited").asBoolean(), dialed::toString);
    eventually("the relayed connection from js", () -> b.host.connectionOrNull(js) != null);
    Connection relayed = b.host.connectionOrNull(js);
    assertTrue(relayed.isRelayed());

    Dcutr.Result result = await(db.upgrade(relayed));
    assertFalse(result.direct(), "nothing answers on the offered addresses");
    assertEquals(Dcutr.MAX_ATTEMPTS, result.attempts());
    eventually("js answering every round", () -> countReaches(jsClient, "A receiving sync", syncsBefore + 3));
    assertTrue(count(jsClient, "A dialing") >= 3, "js dialed on each SYNC");

    Connection now = b.host.connectionOrNull(js);
    assertTrue(now.isRelayed(), "fell back to the relay");
    byte[] data = payload(5_000);
    assertArrayEquals(data, echo(now, data));
  }
}
