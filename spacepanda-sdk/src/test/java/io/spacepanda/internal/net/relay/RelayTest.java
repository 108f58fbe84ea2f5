package io.spacepanda.internal.net.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.EchoProtocol;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Circuit relay v2 between Java hosts over 127.0.0.1: reservations, relayed connections, limits. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Multiaddr LOOPBACK = Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicLong nowMillis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(nowMillis.get());
    }
  };

  /** A host with its identity. */
  record Node(Host host, IdentitySigner identity, Multiaddr addr) {}

  private Node node() throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(RANDOM);
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).build();
    closeables.add(h);
    h.setProtocolHandler(EchoProtocol.ID, new EchoProtocol());
    h.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    return new Node(h, id, h.fullListenAddresses().get(0));
  }

  private RelayService relay(Node n, RelayConfig config) {
    RelayService s = new RelayService(n.host, n.identity, config, clock);
    closeables.add(s);
    return s;
  }

  private RelayClient client(Node n) {
    RelayClient c = new RelayClient(n.host, clock, Duration.ofSeconds(10));
    closeables.add(c);
    return c;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), "condition not reached within 10 s");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  static byte[] echo(Connection c, byte[] payload) throws Exception {
    StreamCollector collector = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EchoProtocol.ID), collector));
    int chunk = 16 * 1024;
    for (int off = 0; off < payload.length; off += chunk) {
      int n = Math.min(chunk, payload.length - off);
      await(s.write(Unpooled.wrappedBuffer(payload, off, n)));
    }
    s.closeWrite();
    return await(collector.done());
  }

  private static Multiaddr circuit(Node relay, Node target) throws Exception {
    return Multiaddr.parse(relay.addr + "/p2p-circuit/p2p/" + target.host.peerId().toBase58());
  }

  @Test
  void reservedPeer_isReachedThroughTheRelay_withNoiseAndYamuxOverTheCircuit() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    RelayService service = relay(r, RelayConfig.defaults());
    RelayClient ca = client(a);
    client(b);
    RelayClient.Held held = await(ca.reserve(await(a.host.dial(r.addr))));
    assertEquals(r.host.peerId(), held.relay());
    assertEquals(Duration.ofMinutes(2).toSeconds(), held.limitOrNull().durationSeconds());
    assertEquals(128 * 1024, held.limitOrNull().dataBytes());
    assertTrue(service.hasReservation(a.host.peerId()));
    assertTrue(a.host.advertisedAddresses().contains(held.circuitAddress()));

    Connection viaRelay = await(b.host.dial(circuit(r, a)));
    assertTrue(viaRelay.isRelayed());
    assertEquals(a.host.peerId(), viaRelay.remotePeerId());
    byte[] payload = new byte[20_000];
    RANDOM.nextBytes(payload);
    assertArrayEquals(payload, echo(viaRelay, payload));
    eventually(() -> a.host.connectionOrNull(b.host.peerId()) != null);
    assertTrue(a.host.connectionOrNull(b.host.peerId()).isRelayed());
    assertEquals(1, service.circuitsOpened());

    // identify over the circuit announces the relayed address
    IdentifyMessage id = await(b.host.identify(viaRelay));
    assertTrue(id.listenAddrs().stream().anyMatch(x -> Arrays.equals(x, held.circuitAddress().toBytes())));
    viaRelay.close();
    eventually(() -> service.activeCircuits() == 0);
  }

  @Test
  void dataLimit_cutsTheRelayedConnection() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    relay(r, RelayConfig.defaults().withConnectionLimits(Duration.ofMinutes(2), 32 * 1024));
    RelayClient ca = client(a);
    client(b);
    await(ca.reserve(await(a.host.dial(r.addr))));
    Connection viaRelay = await(b.host.dial(circuit(r, a)));
    byte[] payload = new byte[200_000];
    RANDOM.nextBytes(payload);
    assertThrows(Exception.class, () -> echo(viaRelay, payload));
    eventually(() -> !viaRelay.isOpen());
  }

  @Test
  void memberLimits_applyToMembersOnly() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    Node c = node();
    RelayService service = relay(r, RelayConfig.defaults().withConnectionLimits(Duration.ofMinutes(2), 32 * 1024)
        .withMemberLimits(Duration.ofMinutes(10), 1024 * 1024));
    java.util.Set<PeerId> members = java.util.Set.of(a.host.peerId(), b.host.peerId());
    service.setMemberPredicate(members::contains);
    RelayClient ca = client(a);
    client(b);
    RelayClient cc = client(c);
    RelayClient.Held member = await(ca.reserve(await(a.host.dial(r.addr))));
    assertEquals(600, member.limitOrNull().durationSeconds());
    assertEquals(1024 * 1024, member.limitOrNull().dataBytes());
    RelayClient.Held stranger = await(cc.reserve(await(c.host.dial(r.addr))));
    assertEquals(120, stranger.limitOrNull().durationSeconds());
    assertEquals(32 * 1024, stranger.limitOrNull().dataBytes());

    byte[] payload = new byte[200_000];
    RANDOM.nextBytes(payload);
    Connection betweenMembers = await(b.host.dial(circuit(r, a)));
    assertArrayEquals(payload, echo(betweenMembers, payload), "members get the larger data limit");
    Connection fromStranger = await(c.host.dial(circuit(r, a)));
    assertThrows(Exception.class, () -> echo(fromStranger, payload), "a stranger gets the default one");
    eventually(() -> !fromStranger.isOpen());
  }

  @Test
  void durationLimit_closesTheRelayedConnection() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    relay(r, RelayConfig.defaults().withConnectionLimits(Duration.ofSeconds(1), 0));
    RelayClient ca = client(a);
    client(b);
    await(ca.reserve(await(a.host.dial(r.addr))));
    Connection viaRelay = await(b.host.dial(circuit(r, a)));
    assertArrayEquals(new byte[] {1, 2, 3}, echo(viaRelay, new byte[] {1, 2, 3}));
    eventually(() -> !viaRelay.isOpen());
  }

  @Test
  void withoutReservation_theRelayAnswersNoReservation() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    relay(r, RelayConfig.defaults());
    client(a);
    client(b);
    await(a.host.dial(r.addr));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(b.host.dial(circuit(r, a))));
    RelayException re = assertInstanceOf(RelayException.class, e.getCause());
    assertEquals(RelayException.Status.NO_RESERVATION, re.status());
  }

  @Test
  void reservationLimit_refusesTheSurplus_andExpiryFreesSlots() throws Exception {
    Node r = node();
    RelayService service = relay(r, RelayConfig.defaults().withReservations(Duration.ofMinutes(10), 2, 8));
    List<Node> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(node());
    }
    await(client(peers.get(0)).reserve(await(peers.get(0).host.dial(r.addr))));
    await(client(peers.get(1)).reserve(await(peers.get(1).host.dial(r.addr))));
    RelayClient third = client(peers.get(2));
    Connection thirdConn = await(peers.get(2).host.dial(r.addr));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(third.reserve(thirdConn)));
    assertEquals(RelayException.Status.RESERVATION_REFUSED, ((RelayException) e.getCause()).status());
    assertEquals(2, service.reservationCount());
    nowMillis.addAndGet(Duration.ofMinutes(11).toMillis());
    assertEquals(0, service.reservationCount());
    assertFalse(service.hasReservation(peers.get(0).host.peerId()));
    await(third.reserve(thirdConn));
    assertEquals(1, service.reservationCount());
  }

  @Test
  void perIpLimit_refusesReservationsBeyondIt() throws Exception {
    Node r = node();
    relay(r, RelayConfig.defaults().withReservations(Duration.ofMinutes(10), 100, 1));
    Node a = node();
    Node b = node();
    await(client(a).reserve(await(a.host.dial(r.addr))));
    RelayClient cb = client(b);
    Connection c = await(b.host.dial(r.addr));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(cb.reserve(c)));
    assertEquals(RelayException.Status.RESERVATION_REFUSED, ((RelayException) e.getCause()).status());
  }

  @Test
  void reserveAndDisconnectCycles_leaveNoReservationBehind() throws Exception {
    Node r = node();
    RelayService service = relay(r, RelayConfig.defaults());
    Node a = node();
    RelayClient ca = client(a);
    int cycles = Integer.getInteger("spacepanda.relay.cycles", 100);
    for (int i = 0; i < cycles; i++) {
      Connection c = await(a.host.dial(r.addr));
      await(ca.reserve(c));
      c.close();
      await(c.closeFuture());
    }
    eventually(() -> service.reservationCount() == 0);
    eventually(() -> ca.reservations().isEmpty());
    eventually(() -> a.host.advertisedAddresses().isEmpty());
  }

  @Test
  void stopFromARelayWithoutReservation_isRefused() throws Exception {
    Node r = node();
    Node a = node();
    Node b = node();
    relay(r, RelayConfig.defaults());
    RelayClient ca = client(a);
    client(b);
    // a reserves on r; b hosts its own relay service and cannot make a accept a circuit from it
    await(ca.reserve(await(a.host.dial(r.addr))));
    relay(b, RelayConfig.defaults());
    Node c = node();
    client(c);
    await(a.host.dial(b.addr));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(c.host.dial(circuit(b, a))));
    assertEquals(RelayException.Status.NO_RESERVATION, ((RelayException) e.getCause()).status());
    PeerId unused = a.host.peerId();
    assertTrue(unused != null);
  }
}
