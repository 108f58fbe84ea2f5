package io.spacepanda.internal.net.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.EchoProtocol;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.HostConstants;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.ping.PingInitiator;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.UnsignedVarint;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java host against js-libp2p 3.x (Noise, Yamux) over 127.0.0.1, in both directions and with
 * every combination of the two sides' early-muxer settings.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JavaJsInteropTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int FRAME = 16 * 1024;
  private final List<Host> hosts = new ArrayList<>();

  @BeforeAll
  static void nodeIsInstalled() {
    assumeTrue(JsPeer.isAvailable(), "node >= 20 and npm are needed");
  }

  @AfterEach
  void closeHosts() {
    hosts.forEach(Host::close);
  }

  private Host host(boolean earlyMuxer) {
    Host h = Host.builder()
        .identity(IdentitySigner.generateEd25519(RANDOM))
        .muxer(new YamuxMuxerFactory())
        .earlyMuxerNegotiation(earlyMuxer)
        .build();
    h.setProtocolHandler(EchoProtocol.ID, new EchoProtocol());
    hosts.add(h);
    return h;
  }

  private static Multiaddr listen(Host h) throws Exception {
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    return h.fullListenAddresses().get(0);
  }

  private static JsPeer.Options js(boolean earlyMuxer) {
    return JsPeer.Options.defaults().withEarlyMuxer(earlyMuxer).withTimeout(Duration.ofSeconds(90));
  }

  /** Sends {@code payload} as varint-prefixed frames on a new echo stream and returns the echo. */
  private static byte[] echoFrames(Connection c, byte[] payload) throws Exception {
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    for (int off = 0; off < payload.length; off += FRAME) {
      int n = Math.min(FRAME, payload.length - off);
      UnsignedVarint.write(n, framed);
      framed.write(payload, off, n);
    }
    byte[] wire = framed.toByteArray();
    StreamCollector collector = new StreamCollector();
    MuxedStream s = c.openStream(List.of(JsPeer.ECHO_PROTOCOL), collector).get(20, TimeUnit.SECONDS);
    for (int off = 0; off < wire.length; off += 64 * 1024) {
      s.write(Unpooled.wrappedBuffer(wire, off, Math.min(64 * 1024, wire.length - off))).get(20, TimeUnit.SECONDS);
    }
    s.closeWrite();
    byte[] back = collector.done().get(60, TimeUnit.SECONDS);
    assertArrayEquals(wire, back, "echoed frames differ");
    return back;
  }

  @ParameterizedTest(name = "javaEarlyMuxer={0}, jsEarlyMuxer={1}")
  @CsvSource({"true,true", "true,false", "false,true", "false,false"})
  void jsDialsJava_echoOneMebibyteAndParallelStreams_succeed(boolean javaEarly, boolean jsEarly)
      throws Exception {
    Host h = host(javaEarly);
    Multiaddr addr = listen(h);
    try (JsPeer js = JsPeer.dial(addr.toString(), js(jsEarly).withRun("echo"))) {
      List<JsonNode> results = js.awaitResults(Duration.ofSeconds(80));
      assertEquals(1, results.size(), js.stderr());
      assertEquals(1024 * 1024, results.get(0).get("bytes").asLong());
    }
    try (JsPeer js = JsPeer.dial(addr.toString(), js(jsEarly).withRun("parallel").withStreams(64))) {
      List<JsonNode> results = js.awaitResults(Duration.ofSeconds(80));
      assertEquals(64, results.get(0).get("streams").asInt(), js.stderr());
    }
  }

  @ParameterizedTest(name = "javaEarlyMuxer={0}, jsEarlyMuxer={1}")
  @CsvSource({"true,true", "true,false", "false,true", "false,false"})
  void javaDialsJs_echoOneMebibyteInVarintFrames_roundTrips(boolean javaEarly, boolean jsEarly)
      throws Exception {
    Host h = host(javaEarly);
    try (JsPeer js = JsPeer.listen(js(jsEarly))) {
      Connection c = h.dial(Multiaddr.parse(js.multiaddr())).get(20, TimeUnit.SECONDS);
      assertEquals(PeerId.parse(js.peerId()), c.remotePeerId());
      assertEquals("/yamux/1.0.0", c.muxerProtocol());
      assertEquals(javaEarly && jsEarly, c.isEarlyMuxerNegotiated());
      byte[] payload = new byte[1024 * 1024];
      RANDOM.nextBytes(payload);
      echoFrames(c, payload);
    }
  }

  @ParameterizedTest(name = "jsEarlyMuxer={0}")
  @CsvSource({"true", "false"})
  void jsDialsJava_identifiesAndPingsJava(boolean jsEarly) throws Exception {
    Host h = host(true);
    Multiaddr addr = listen(h);
    try (JsPeer js = JsPeer.dial(addr.toString(), js(jsEarly).withRun("identify-ping"))) {
      List<JsonNode> results = js.awaitResults(Duration.ofSeconds(80));
      assertEquals(1, results.size(), js.stderr());
      JsonNode r = results.get(0);
      assertEquals(h.peerId().toBase58(), r.get("remotePeer").asText());
      assertEquals("/yamux/1.0.0", r.get("muxer").asText());
      assertEquals(HostConstants.DEFAULT_AGENT_VERSION, r.get("agentVersion").asText());
      List<String> protocols = new ArrayList<>();
      r.get("protocols").forEach(p -> protocols.add(p.asText()));
      assertTrue(protocols.containsAll(List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", EchoProtocol.ID)), protocols::toString);
      List<String> listenAddrs = new ArrayList<>();
      r.get("listenAddrs").forEach(a -> listenAddrs.add(a.asText()));
      assertTrue(listenAddrs.stream().anyMatch(a -> a.startsWith(addr.withoutPeerId().toString())), listenAddrs::toString);
      assertTrue(r.get("observedAddr").asText().startsWith("/ip4/127.0.0.1/tcp/"), r.toString());
      assertTrue(r.get("rttMs").isNumber(), r.toString());
    }
  }

  @ParameterizedTest(name = "jsEarlyMuxer={0}")
  @CsvSource({"true", "false"})
  void javaDialsJs_identifiesAndPingsJs(boolean jsEarly) throws Exception {
    Host h = host(true);
    try (JsPeer js = JsPeer.listen(js(jsEarly))) {
      Multiaddr jsAddr = Multiaddr.parse(js.multiaddr());
      Connection c = h.dial(jsAddr).get(20, TimeUnit.SECONDS);
      IdentifyMessage id = h.identify(c).get(20, TimeUnit.SECONDS);
      assertEquals(c.remotePeerId(), PeerId.fromBytes(Libp2pPublicKey.decode(id.publicKey()).peerIdMultihash()));
      assertTrue(id.protocols().containsAll(List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", JsPeer.ECHO_PROTOCOL)),
          id.protocols()::toString);
      // js-libp2p appends /p2p/<observed peer> to the observed address
      assertEquals(c.localAddress(), Multiaddr.fromBytes(id.observedAddr().orElseThrow()).withoutPeerId());
      List<Multiaddr> listen = new ArrayList<>();
      for (byte[] b : id.listenAddrs()) {
        listen.add(Multiaddr.fromBytes(b));
      }
      assertTrue(listen.contains(jsAddr.withoutPeerId()), listen::toString);
      PingInitiator pinger = h.openPing(c).get(20, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        assertFalse(pinger.ping().get(20, TimeUnit.SECONDS).isNegative());
      }
      pinger.close();
    }
  }

  @ParameterizedTest(name = "jsEarlyMuxer={0}")
  @CsvSource({"true", "false"})
  void javaDialsJs_manyStreamsAtOnce_allRoundTrip(boolean jsEarly) throws Exception {
    Host h = host(true);
    try (JsPeer js = JsPeer.listen(js(jsEarly))) {
      Connection c = h.dial(Multiaddr.parse(js.multiaddr())).get(20, TimeUnit.SECONDS);
      List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] p = new byte[4096 + i];
        RANDOM.nextBytes(p);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        UnsignedVarint.write(p.length, framed);
        framed.writeBytes(p);
        byte[] wire = framed.toByteArray();
        sent.add(wire);
        StreamCollector collector = new StreamCollector();
        echoes.add(c.openStream(List.of(JsPeer.ECHO_PROTOCOL), collector)
            .thenCompose(s -> s.write(Unpooled.wrappedBuffer(wire)).thenCompose(v -> s.closeWrite()))
            .thenCompose(v -> collector.done()));
      }
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), echoes.get(i).get(60, TimeUnit.SECONDS));
      }
    }
  }
}
