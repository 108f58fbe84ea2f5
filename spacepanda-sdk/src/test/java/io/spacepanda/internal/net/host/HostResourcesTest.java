package io.spacepanda.internal.net.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The host accounts connections and streams in its resource manager and frees them on close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostResourcesTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Multiaddr LOOPBACK = Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0);
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (Host h : hosts) {
      h.close();
    }
  }

  private Host host() {
    Host h = Host.builder().identity(IdentitySigner.generateEd25519(RANDOM))
        .muxer(new YamuxMuxerFactory()).build();
    hosts.add(h);
    h.setProtocolHandler(EchoProtocol.ID, new EchoProtocol());
    return h;
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), "condition not reached within 10 s");
  }

  @Test
  void protocolLimit_extraInboundStreamReset_othersEchoAndEverythingFreedOnClose() throws Exception {
    Host a = host();
    Host b = host();
    a.resources().setProtocolLimits(EchoProtocol.ID, new ProtocolLimits(2, 100, 1 << 20));
    a.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    Connection c = b.dial(a.fullListenAddresses().get(0)).get(10, TimeUnit.SECONDS);
    eventually(() -> a.resources().stats().connections() == 1);

    List<StreamCollector> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      StreamCollector collector = new StreamCollector();
      MuxedStream s = c.openStream(List.of(EchoProtocol.ID), collector).get(10, TimeUnit.SECONDS);
      s.write(Unpooled.wrappedBuffer(new byte[] {(byte) i})); // left open: the stream stays
      held.add(collector);
    }

    eventually(() -> a.resources().refusedStreams(EchoProtocol.ID) == 1);
    eventually(() -> held.stream().filter(h -> h.done().isCompletedExceptionally()).count() == 1);
    assertEquals(2, a.resources().stats().streams());
    assertFalse(held.get(0).done().isDone(), "the first two are served");
    assertFalse(held.get(1).done().isDone());

    c.close();
    eventually(() -> a.resources().stats().connections() == 0
        && a.resources().stats().streams() == 0);
    assertEquals(0, a.resources().memory());
  }

  /**
   * Issue 14: a peer that keeps opening streams beyond its limit is penalized, and its further
   * streams are reset before any negotiation; another peer's stream of the same protocol is
   * served meanwhile.
   */
  @Test
  void refusedStreamsBeyondThePenaltyThreshold_furtherOnesResetUnnegotiated_otherPeerServed()
      throws Exception {
    // the resource manager's clock stands still: however slowly the machine runs, every refusal
    // falls in one penalty window
    Host a = Host.builder().identity(IdentitySigner.generateEd25519(RANDOM))
        .muxer(new YamuxMuxerFactory())
        .resources(ResourceManager.create(ResourceLimits.defaults(), () -> 42L)).build();
    hosts.add(a);
    a.setProtocolHandler(EchoProtocol.ID, new EchoProtocol());
    Host bad = host();
    Host good = host();
    a.resources().setProtocolLimits(EchoProtocol.ID, new ProtocolLimits(1, 1000, 1 << 20));
    a.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    Connection c = bad.dial(a.fullListenAddresses().get(0)).get(10, TimeUnit.SECONDS);
    StreamCollector kept = new StreamCollector();
    c.openStream(List.of(EchoProtocol.ID), kept).get(10, TimeUnit.SECONDS)
        .write(Unpooled.wrappedBuffer(new byte[] {1})); // its one stream, held open
    eventually(() -> a.resources().stats().streams() == 1);
    int attempts = ResourceManager.REFUSALS_BEFORE_PENALTY + 16;
    for (int i = 0; i < attempts; i++) {
      // one at a time: refused after negotiation, then (penalized) before it
      long before = a.resources().stats().refusedStreams();
      c.openStream(List.of(EchoProtocol.ID), new StreamCollector());
      for (int w = 0; w < 10_000 && a.resources().stats().refusedStreams() == before; w++) {
        Thread.sleep(1);
      }
    }
    eventually(() -> a.resources().stats().refusedStreams() == attempts);
    ResourceManager.Stats st = a.resources().stats();
    assertEquals(1, st.penalties());
    assertEquals(attempts - ResourceManager.REFUSALS_BEFORE_PENALTY, st.refusedUnnegotiated(),
        st.toString());
    assertTrue(a.resources().penalized(bad.peerId()));

    Connection g = good.dial(a.fullListenAddresses().get(0)).get(10, TimeUnit.SECONDS);
    StreamCollector served = new StreamCollector();
    g.openStream(List.of(EchoProtocol.ID), served).get(10, TimeUnit.SECONDS)
        .write(Unpooled.wrappedBuffer(new byte[] {7}));
    eventually(() -> a.resources().stats().streams() == 2);
    assertFalse(served.done().isDone(), "the other peer's stream is served");
  }
}
