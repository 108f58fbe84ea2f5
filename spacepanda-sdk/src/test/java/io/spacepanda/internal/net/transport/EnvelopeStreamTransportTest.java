package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportException;
import io.spacepanda.testkit.RecordingListener;
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

/**
 * Long-lived envelope streams ({@code /spacepanda/envelope-stream/1.0.0}) between real transports
 * and against raw hosts on 127.0.0.1: many envelopes share one stream, older peers (1.0.0 only) are
 * served both ways, the receiver's window holds envelopes back, and bad frames or acks reset the
 * stream with typed failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnvelopeStreamTransportTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  private record Node(Libp2pTransport transport, RecordingListener in, PeerId peer) {
    String address() {
      return transport.listenAddresses().get(0);
    }
  }

  private Node node(Transport.Factory factory) throws Exception {
    RecordingListener in = new RecordingListener();
    TransportContext ctx = TransportFixtures.context(in, List.of());
    Libp2pTransport t = (Libp2pTransport) factory.create(ctx);
    open.add(t);
    t.start().get(10, TimeUnit.SECONDS);
    return new Node(t, in, ctx.localPeer());
  }

  private Node node() throws Exception {
    return node(Libp2pTransport.factory(TransportFixtures.shortTimeouts()));
  }

  private Node legacyNode() throws Exception {
    return node(Libp2pTransport.legacyFactory(TransportFixtures.shortTimeouts()));
  }

  private Host rawHost() {
    Host h = Host.builder().identity(IdentitySigner.generateEd25519(TransportFixtures.RANDOM))
        .muxer(new YamuxMuxerFactory()).build();
    open.add(h);
    return h;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), "condition not reached within 15 s");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static Set<Integer> numbers(RecordingListener in) {
    Set<Integer> got = new HashSet<>();
    in.envelopes().forEach(r -> got.add((r.envelope()[0] & 0xFF) | (r.envelope()[1] & 0xFF) << 8));
    return got;
  }

  private static byte[] numbered(int i) {
    return new byte[] {(byte) i, (byte) (i >> 8), 7};
  }

  private void sendAll(Node from, Node to, int count) throws Exception {
    from.transport().addPeerAddress(to.peer(), to.address());
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sends.add(from.transport().send(to.peer(), numbered(i)));
      if (i % 50 == 49) {
        await(sends.get(i)); // some sequential, some concurrent
      }
    }
    await(CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])));
    assertEquals(count, numbers(to.in()).size());
  }

  @Test
  void manyEnvelopes_oneStream_noPerEnvelopeStreams() throws Exception {
    Node a = node();
    Node b = node();

    sendAll(b, a, 300);

    assertEquals(1, a.transport().envelopeStreamsAccepted());
    assertEquals(0, a.transport().singleEnvelopeStreamsAccepted());
  }

  @Test
  void newSender_olderReceiver_fallsBackToOneStreamPerEnvelope() throws Exception {
    Node old = legacyNode();
    Node b = node();

    sendAll(b, old, 60);

    assertEquals(0, old.transport().envelopeStreamsAccepted());
    // one stream per envelope, plus the one that found out (negotiated 1.0.0, then reset)
    assertEquals(61, old.transport().singleEnvelopeStreamsAccepted());
  }

  @Test
  void olderSender_newReceiver_isServed() throws Exception {
    Node a = node();
    Node old = legacyNode();

    sendAll(old, a, 60);

    assertEquals(60, a.transport().singleEnvelopeStreamsAccepted());
  }

  @Test
  void idleStream_isHalfClosedAndTheNextSendOpensAnother() throws Exception {
    Libp2pTransportConfig shortIdle = new Libp2pTransportConfig(
        EnvelopeProtocolConstants.DEFAULT_MAX_ENVELOPE_BYTES, Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(600),
        16, 32, 16, 4, 1 << 20, 1, TransportFixtures.shortTimeouts().admission());
    Node a = node();
    Node b = node(Libp2pTransport.factory(shortIdle));
    b.transport().addPeerAddress(a.peer(), a.address());

    await(b.transport().send(a.peer(), numbered(1)));
    eventually(() -> b.transport().sendQueueCount() == 0); // stream idle for 300 ms: closed, sender dropped
    await(b.transport().send(a.peer(), numbered(2)));

    assertEquals(2, a.transport().envelopeStreamsAccepted());
    assertEquals(Set.of(1, 2), numbers(a.in()));
  }

  @Test
  void receiverWindow_holdsFurtherEnvelopesUntilAcknowledged() throws Exception {
    Node a = node();
    List<CompletableFuture<Void>> held = new ArrayList<>();
    a.in().answer(e -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      synchronized (held) {
        held.add(f);
      }
      return f;
    });
    Connection c = await(rawHost().dial(Multiaddr.parse(a.address())));
    StreamCollector acks = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID), acks));
    ByteBuf frames = Unpooled.buffer();
    for (int i = 0; i < 40; i++) { // more than the receiver's 32 unacknowledged
      EnvelopeStreamCodec.writeEnvelope(numbered(i), frames);
    }
    s.write(frames);

    eventually(() -> a.in().envelopes().size() == 32);
    Thread.sleep(200);
    assertEquals(32, a.in().envelopes().size());
    synchronized (held) {
      held.forEach(f -> f.complete(null));
    }
    eventually(() -> a.in().envelopes().size() == 40);
    synchronized (held) {
      held.forEach(f -> f.complete(null));
    }
    s.closeWrite();
    byte[] ackBytes = await(acks.done()); // the receiver half-closes once all are acknowledged
    StreamFrameDecoder d = new StreamFrameDecoder(EnvelopeStreamCodec.MAX_ACK_MESSAGE_BYTES, 4096);
    d.add(Unpooled.wrappedBuffer(ackBytes));
    Set<Long> acked = new HashSet<>();
    for (byte[] m = d.next(); m != null; m = d.next()) {
      EnvelopeStreamCodec.Ack ack = EnvelopeStreamCodec.decodeAck(m);
      assertEquals(EnvelopeProtocolConstants.STATUS_OK, ack.status());
      acked.add(ack.sequence());
    }
    assertEquals(40, acked.size());
    assertEquals(0, a.transport().rejectedStreams());
  }

  @Test
  void inbound_junkOnEnvelopeStream_resetAndCounted_connectionStillDelivers() throws Exception {
    Node a = node();
    Connection c = await(rawHost().dial(Multiaddr.parse(a.address())));
    StreamCollector bad = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID), bad));
    ByteBuf frames = Unpooled.buffer();
    EnvelopeStreamCodec.writeEnvelope(numbered(1), frames);
    frames.writeBytes(new byte[] {5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    s.write(frames);

    assertThrows(ExecutionException.class, () -> await(bad.done()));
    eventually(() -> a.transport().rejectedStreams() == 1);
    assertEquals(Set.of(1), numbers(a.in())); // the good envelope before the junk got through
    assertTrue(c.isOpen());
  }

  @Test
  void inbound_senderStallsMidEnvelope_resetAfterReceiveTimeout() throws Exception {
    Node a = node(Libp2pTransport.factory(TransportFixtures.shortTimeouts()
        .withStreamTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300))));
    Connection c = await(rawHost().dial(Multiaddr.parse(a.address())));
    StreamCollector stalled = new StreamCollector();
    MuxedStream s = await(c.openStream(List.of(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID), stalled));
    s.write(Unpooled.wrappedBuffer(new byte[] {100, 0x0a, 98, 1, 2, 3}));

    assertThrows(ExecutionException.class, () -> await(stalled.done()));
    assertEquals(1, a.transport().rejectedStreams());
    eventually(() -> a.transport().inboundBufferedBytes() == 0);
  }

  /** A raw receiver that answers every envelope stream with {@code answer}'s bytes. */
  private Host receiverAnswering(byte[] answer) throws Exception {
    Host h = rawHost();
    h.setProtocolHandler(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID, (conn, s, p) -> new StreamHandler() {
      @Override
      public void onData(MuxedStream stream, ByteBuf data) {
        stream.consumed(data.readableBytes());
        data.release();
        stream.write(Unpooled.wrappedBuffer(answer));
      }

      @Override
      public void onRemoteClose(MuxedStream stream) {}

      @Override
      public void onReset(MuxedStream stream, StreamException cause) {}
    });
    await0(h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    return h;
  }

  private static void await0(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void outbound_ackForAnEnvelopeNeverSent_failsTheSendTyped() throws Exception {
    ByteBuf ack = Unpooled.buffer();
    EnvelopeStreamCodec.writeAck(5, 0, ack);
    Host peer = receiverAnswering(ByteBufUtil.getBytes(ack));
    Node b = node();
    b.transport().addPeerAddress(peer.peerId(), peer.fullListenAddresses().get(0).toString());

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(b.transport().send(peer.peerId(), numbered(1))));

    assertInstanceOf(TransportException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("malformed acknowledgement"), e.getCause().getMessage());
  }

  @Test
  void outbound_refusedAck_failsThatSendOnly() throws Exception {
    ByteBuf ack = Unpooled.buffer();
    EnvelopeStreamCodec.writeAck(0, EnvelopeProtocolConstants.STATUS_REFUSED, ack);
    Host peer = receiverAnswering(ByteBufUtil.getBytes(ack));
    Node b = node();
    b.transport().addPeerAddress(peer.peerId(), peer.fullListenAddresses().get(0).toString());

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(b.transport().send(peer.peerId(), numbered(1))));

    assertTrue(e.getCause().getMessage().contains("refused"), e.getCause().getMessage());
  }
}
