package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportException;
import io.spacepanda.testkit.RecordingListener;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two or more libp2p transports, and raw hosts misbehaving towards one, over 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Libp2pTransportTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  /** A started transport with its listener and peer id. */
  private record Node(Libp2pTransport transport, RecordingListener in, PeerId peer) {
    String address() {
      return transport.listenAddresses().get(0);
    }
  }

  private Node node(Libp2pTransportConfig config, List<String> bootstrap) throws Exception {
    RecordingListener in = new RecordingListener();
    TransportContext ctx = TransportFixtures.context(in, bootstrap);
    Libp2pTransport t = new Libp2pTransport(ctx, config);
    open.add(t);
    t.start().get(10, TimeUnit.SECONDS);
    return new Node(t, in, ctx.localPeer());
  }

  private Node node() throws Exception {
    return node(TransportFixtures.shortTimeouts(), List.of());
  }

  private Connection rawDial(Node target) throws Exception {
    Host h = Host.builder().identity(IdentitySigner.generateEd25519(TransportFixtures.RANDOM))
        .muxer(new YamuxMuxerFactory()).build();
    open.add(h);
    return h.dial(Multiaddr.parse(target.address())).get(10, TimeUnit.SECONDS);
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
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Opens an envelope stream from a raw host, writes {@code bytes} and returns the collector. */
  private static StreamCollector rawStream(Connection c, byte[] bytes, boolean closeWrite)
      throws Exception {
    StreamCollector collector = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), collector));
    s.write(Unpooled.wrappedBuffer(bytes)); // may fail when the receiver resets at once
    if (closeWrite) {
      s.closeWrite();
    }
    return collector;
  }

  /** Sends a well-formed envelope over a raw stream and returns the acknowledgement status. */
  private static int rawSend(Connection c, byte[] payload) throws Exception {
    byte[] ack = await(rawStream(c, EnvelopeCodec.encodeEnvelope(payload), false).done());
    FrameReader reader = new FrameReader(EnvelopeProtocolConstants.MAX_ACK_MESSAGE_BYTES);
    return EnvelopeCodec.decodeAck(reader.offer(Unpooled.wrappedBuffer(ack)));
  }

  private static Throwable failureOf(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(f));
    return e.getCause();
  }

  @Test
  void start_listenAddresses_endInOwnPeerId() throws Exception {
    Node a = node();

    String addr = a.address();

    assertTrue(addr.startsWith("/ip4/127.0.0.1/tcp/"), addr);
    assertTrue(addr.endsWith("/p2p/" + a.peer()), addr);
  }

  @Test
  void start_bootstrapPeer_isDialedAndBothReportTheConnection() throws Exception {
    Node a = node();
    Node b = node(TransportFixtures.shortTimeouts(), List.of(a.address()));

    eventually(() -> b.transport().connectedPeers().contains(a.peer())
        && a.transport().connectedPeers().contains(b.peer()));
    eventually(() -> a.in().connectedEvents().contains(b.peer())
        && b.in().connectedEvents().contains(a.peer()));
  }

  @Test
  void send_bothDirections_overOneConnection() throws Exception {
    Node a = node();
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());

    await(b.transport().send(a.peer(), new byte[] {1, 2}));
    await(a.transport().send(b.peer(), new byte[] {3})); // no address: uses b's connection

    assertArrayEquals(new byte[] {1, 2}, a.in().envelopes().get(0).envelope());
    assertArrayEquals(new byte[] {3}, b.in().envelopes().get(0).envelope());
    assertEquals(b.peer(), a.in().envelopes().get(0).connectionPeer());
  }

  @Test
  void send_replyOverFreshInboundConnection_acknowledgementArrivesEveryTime() throws Exception {
    // The reply's stream opens on an existing connection from this thread, so the envelope can
    // be written before the host installs the sender's handler; the ack must not be lost then.
    for (int i = 0; i < 100; i++) {
      Node a = node();
      Node b = node();
      b.transport().addPeerAddress(a.peer(), a.address());
      await(b.transport().send(a.peer(), new byte[] {1}));

      await(a.transport().send(b.peer(), new byte[] {2}));

      assertEquals(1, b.in().envelopes().size());
      a.transport().close();
      b.transport().close();
    }
  }

  @Test
  void send_largestAllowedEnvelope_arrivesWhole() throws Exception {
    Node a = node();
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    byte[] big = new byte[EnvelopeProtocolConstants.DEFAULT_MAX_ENVELOPE_BYTES];
    TransportFixtures.RANDOM.nextBytes(big);

    await(b.transport().send(a.peer(), big));

    assertArrayEquals(big, a.in().envelopes().get(0).envelope());
  }

  @Test
  void send_tooLargeEnvelope_failsWithoutSending() throws Exception {
    Node a = node();
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());

    CompletableFuture<Void> sent =
        b.transport().send(a.peer(), new byte[EnvelopeProtocolConstants.DEFAULT_MAX_ENVELOPE_BYTES + 1]);

    assertInstanceOf(TransportException.class, failureOf(sent));
    assertTrue(a.in().envelopes().isEmpty());
  }

  @Test
  void send_manyConcurrently_allAcknowledgedAndReceived() throws Exception {
    Node a = node();
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    a.transport().addPeerAddress(b.peer(), b.address());
    List<CompletableFuture<Void>> sends = new ArrayList<>();

    for (int i = 0; i < 200; i++) {
      byte[] e = {(byte) i, (byte) (i >> 8), 42};
      sends.add(i % 2 == 0 ? b.transport().send(a.peer(), e) : a.transport().send(b.peer(), e));
    }
    await(CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])));

    Set<Integer> got = new HashSet<>();
    a.in().envelopes().forEach(r -> got.add((r.envelope()[0] & 0xFF) | (r.envelope()[1] & 0xFF) << 8));
    b.in().envelopes().forEach(r -> got.add((r.envelope()[0] & 0xFF) | (r.envelope()[1] & 0xFF) << 8));
    assertEquals(200, got.size());
    assertEquals(1, b.transport().connectedPeers().size());
    eventually(() -> a.transport().sendQueueCount() == 0 && b.transport().sendQueueCount() == 0);
  }

  @Test
  void send_recipientRefuses_failsWithTransportException() throws Exception {
    Node a = node();
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    a.in().answer(e -> CompletableFuture.failedFuture(new IllegalStateException("full")));

    CompletableFuture<Void> sent = b.transport().send(a.peer(), new byte[] {1});

    Throwable cause = failureOf(sent);
    assertInstanceOf(TransportException.class, cause);
    assertTrue(cause.getMessage().contains("refused"), cause.getMessage());
  }

  @Test
  void send_recipientNeverStores_timesOut() throws Exception {
    Node a = node();
    Node b = node(Libp2pTransportConfig.defaults()
        .withStreamTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)), List.of());
    b.transport().addPeerAddress(a.peer(), a.address());
    a.in().answer(e -> new CompletableFuture<>());

    CompletableFuture<Void> sent = b.transport().send(a.peer(), new byte[] {1});

    assertInstanceOf(TransportException.class, failureOf(sent));
  }

  @Test
  void send_peerOffline_failsUnreachable() throws Exception {
    Node a = node();
    Node b = node();
    String addr = a.address();
    a.transport().close();
    b.transport().addPeerAddress(a.peer(), addr);

    CompletableFuture<Void> sent = b.transport().send(a.peer(), new byte[] {1});

    assertInstanceOf(TransportException.class, failureOf(sent));
  }

  @Test
  void addPeerAddress_otherPeersId_isRejected() throws Exception {
    Node a = node();
    Node b = node();

    assertThrows(IllegalArgumentException.class,
        () -> b.transport().addPeerAddress(b.peer(), a.address()));
    assertThrows(IllegalArgumentException.class,
        () -> b.transport().addPeerAddress(a.peer(), "/ip4/127.0.0.1/udp/1"));
    assertThrows(IllegalArgumentException.class,
        () -> b.transport().addPeerAddress(a.peer(), "not a multiaddr"));
  }

  @Test
  void addPeerAddress_withoutPeerId_isCompletedAndUsable() throws Exception {
    Node a = node();
    Node b = node();
    String bare = a.address().substring(0, a.address().indexOf("/p2p/"));
    b.transport().addPeerAddress(a.peer(), bare);

    await(b.transport().send(a.peer(), new byte[] {7}));

    assertEquals(1, a.in().envelopes().size());
  }

  @Test
  void create_bootstrapWithoutPeerId_isRejected() {
    TransportContext ctx = TransportFixtures.context(new RecordingListener(),
        List.of("/ip4/127.0.0.1/tcp/4001"));

    assertThrows(IllegalArgumentException.class, () -> new Libp2pTransport(ctx));
  }

  @Test
  void inbound_junkFrame_streamResetAndCountedConnectionStillDelivers() throws Exception {
    Node a = node();
    Connection c = rawDial(a);
    byte[] junk = {5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    StreamCollector bad = rawStream(c, junk, true);

    assertThrows(ExecutionException.class, () -> await(bad.done()));
    eventually(() -> a.transport().rejectedStreams() == 1);
    assertEquals(EnvelopeProtocolConstants.STATUS_OK, rawSend(c, new byte[] {9, 9}));
    assertArrayEquals(new byte[] {9, 9}, a.in().envelopes().get(0).envelope());
    assertTrue(c.isOpen());
  }

  @Test
  void inbound_oversizedLengthPrefix_resetBeforeTheBytesArrive() throws Exception {
    Node a = node(TransportFixtures.shortTimeouts().withMaxEnvelopeBytes(1024), List.of());
    Connection c = rawDial(a);
    // announces 1 MiB, far above 1024 + slack, and sends only the prefix
    StreamCollector bad = rawStream(c, new byte[] {(byte) 0x80, (byte) 0x80, 0x40}, false);

    assertThrows(ExecutionException.class, () -> await(bad.done()));
    assertEquals(1, a.transport().rejectedStreams());
    assertEquals(EnvelopeProtocolConstants.STATUS_OK, rawSend(c, new byte[] {1}));
  }

  @Test
  void inbound_payloadAboveLimitWithinSlack_isRejected() throws Exception {
    Node a = node(TransportFixtures.shortTimeouts().withMaxEnvelopeBytes(1024), List.of());
    Connection c = rawDial(a);

    StreamCollector bad = rawStream(c, EnvelopeCodec.encodeEnvelope(new byte[1025]), false);

    assertThrows(ExecutionException.class, () -> await(bad.done()));
    assertTrue(a.in().envelopes().isEmpty());
    assertEquals(1, a.transport().rejectedStreams());
  }

  @Test
  void inbound_oneConnectionAnnouncingMoreThanTheBudget_itsExtraStreamIsReset() throws Exception {
    Node a = node(TransportFixtures.shortTimeouts().withMaxInboundBufferedBytes(1000), List.of());
    Connection c = rawDial(a);
    byte[] big = EnvelopeCodec.encodeEnvelope(new byte[900]);

    StreamCollector holding = rawStream(c, java.util.Arrays.copyOf(big, 20), false);
    eventually(() -> a.transport().inboundBufferedBytes() >= 900);
    StreamCollector over = rawStream(c, EnvelopeCodec.encodeEnvelope(new byte[200]), false);

    assertThrows(ExecutionException.class, () -> await(over.done()));
    assertEquals(1, a.transport().rejectedStreams());
    assertFalse(holding.done().isDone());
    assertEquals(EnvelopeProtocolConstants.STATUS_OK, rawSend(rawDial(a), new byte[50]));
  }

  @Test
  void inbound_budgetExhausted_connectionHoldingMostGivesWayToTheSmallerOne() throws Exception {
    Node a = node(TransportFixtures.shortTimeouts().withMaxInboundBufferedBytes(1000), List.of());
    Connection hog = rawDial(a);
    Connection other = rawDial(a);
    byte[] big = EnvelopeCodec.encodeEnvelope(new byte[900]);

    StreamCollector holding = rawStream(hog, java.util.Arrays.copyOf(big, 20), false);
    eventually(() -> a.transport().inboundBufferedBytes() >= 900);

    assertEquals(EnvelopeProtocolConstants.STATUS_OK, rawSend(other, new byte[200]));
    assertThrows(ExecutionException.class, () -> await(holding.done()));
    assertEquals(1, a.transport().rejectedStreams());
    assertTrue(hog.isOpen());
  }

  /**
   * Issue 14: streams that announce 1 MiB envelopes and stall (and smaller ones filling what the
   * budget has left) must not delay another peer: every one of its envelopes is acknowledged, and
   * every stalled stream is reset, by eviction or by the receive timeout.
   */
  @Test
  void inbound_streamsAnnouncing1MiBThenStalling_goodPeerDelivers50AndStalledStreamsAreReset()
      throws Exception {
    Node a = node(Libp2pTransportConfig.defaults()
        .withStreamTimeouts(Duration.ofSeconds(15), Duration.ofSeconds(3)), List.of());
    int perConnection = Libp2pTransportConfig.defaults().maxInboundStreamsPerConnection();
    // Two attackers announce 1 MiB per stream; two more fill what is left with 32 KiB and then
    // 1 KiB announcements, so that less than one of the good peer's envelopes would still fit.
    int[] announced = {1 << 20, 1 << 20, 32 << 10, 1 << 10};
    List<StreamCollector> stalled = new ArrayList<>();
    for (int size : announced) {
      byte[] head = java.util.Arrays.copyOf(EnvelopeCodec.encodeEnvelope(new byte[size]), 8);
      Connection c = rawDial(a);
      for (int i = 0; i < perConnection; i++) {
        stalled.add(rawStream(c, head, false));
      }
    }
    eventually(() -> a.transport().announcedEnvelopes() == stalled.size());

    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] envelope = new byte[1024];
      envelope[0] = 1;
      envelope[1] = (byte) i;
      sends.add(b.transport().send(a.peer(), envelope));
    }
    int acknowledged = 0;
    for (CompletableFuture<Void> f : sends) {
      await(f);
      acknowledged++;
    }

    assertEquals(50, acknowledged);
    eventually(() -> stalled.stream().allMatch(s -> s.done().isCompletedExceptionally()));
    System.out.printf("streams announcing 1 MiB and stalling: %d of 50 envelopes of a good peer"
        + " acknowledged, %d of %d stalled streams reset%n", acknowledged,
        stalled.stream().filter(s -> s.done().isCompletedExceptionally()).count(), stalled.size());
  }

  @Test
  void inbound_truncatedEnvelope_resetWhenSenderCloses() throws Exception {
    Node a = node();
    Connection c = rawDial(a);
    byte[] frame = EnvelopeCodec.encodeEnvelope(new byte[100]);

    StreamCollector bad = rawStream(c, java.util.Arrays.copyOf(frame, 50), true);

    assertThrows(ExecutionException.class, () -> await(bad.done()));
    assertTrue(a.in().envelopes().isEmpty());
    assertEquals(1, a.transport().rejectedStreams());
  }

  @Test
  void inbound_senderStallsMidEnvelope_resetAfterReceiveTimeout() throws Exception {
    Node a = node(Libp2pTransportConfig.defaults()
        .withStreamTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300)), List.of());
    Connection c = rawDial(a);
    byte[] frame = EnvelopeCodec.encodeEnvelope(new byte[100]);

    StreamCollector stalled = rawStream(c, java.util.Arrays.copyOf(frame, 10), false);

    assertThrows(ExecutionException.class, () -> await(stalled.done()));
    assertEquals(1, a.transport().rejectedStreams());
    assertEquals(EnvelopeProtocolConstants.STATUS_OK, rawSend(c, new byte[] {1}));
  }

  @Test
  void inbound_streamFloodBeyondLimit_extraStreamsResetOtherPeersStillDeliver() throws Exception {
    Node a = node(TransportFixtures.shortTimeouts().withMaxInboundStreamsPerConnection(4), List.of());
    // envelopes starting with 0 are never stored, so their streams stay open
    a.in().answer(e -> e[0] == 0 ? new CompletableFuture<>() : CompletableFuture.completedFuture(null));
    Connection flooder = rawDial(a);
    List<StreamCollector> flood = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      flood.add(rawStream(flooder, EnvelopeCodec.encodeEnvelope(new byte[] {0}), false));
    }

    eventually(() -> a.transport().rejectedStreams() == 6
        && flood.stream().filter(s -> s.done().isCompletedExceptionally()).count() == 6);
    assertEquals(4, a.in().envelopes().size());
    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    await(b.transport().send(a.peer(), new byte[] {1}));
    assertTrue(flooder.isOpen());
  }

  @Test
  void listen_silentTcpClient_cutOffAfterHandshakeTimeoutWhileOthersDeliver() throws Exception {
    Node a = node(Libp2pTransportConfig.defaults()
        .withDialTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300)), List.of());
    Multiaddr addr = Multiaddr.parse(a.address());
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), addr.tcpPort())) {
      silent.setSoTimeout(20_000);
      Node b = node();
      b.transport().addPeerAddress(a.peer(), a.address());
      await(b.transport().send(a.peer(), new byte[] {1}));
      InputStream in = silent.getInputStream();
      int read;
      do {
        read = in.read();
      } while (read >= 0);
      assertEquals(-1, read);
    }
  }

  @Test
  void close_peerLostEventAndNoThreadsLeft() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    Node a = node();
    Node b = node(TransportFixtures.shortTimeouts(), List.of(a.address()));
    eventually(() -> a.transport().connectedPeers().contains(b.peer()));
    CompletableFuture<Void> pending;
    a.in().answer(e -> new CompletableFuture<>());
    pending = b.transport().send(a.peer(), new byte[] {1});
    eventually(() -> a.in().envelopes().size() == 1);

    b.transport().close();

    assertInstanceOf(TransportException.class, failureOf(pending));
    assertTrue(b.transport().connectedPeers().isEmpty());
    eventually(() -> a.in().lostEvents().contains(b.peer()));
    a.transport().close();
    for (AutoCloseable c : open) {
      c.close();
    }
    eventually(() -> !TransportFixtures.transportThreadsAlive(before));
  }

  @Test
  void start_afterClose_fails() throws Exception {
    RecordingListener in = new RecordingListener();
    Libp2pTransport t = new Libp2pTransport(TransportFixtures.context(in, List.of()));
    t.close();

    assertInstanceOf(TransportException.class, failureOf(t.start()));
  }
}
