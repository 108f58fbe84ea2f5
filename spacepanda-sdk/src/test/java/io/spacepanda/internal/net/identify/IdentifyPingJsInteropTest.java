package io.spacepanda.internal.net.identify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.interop.JsPeer;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.ping.PingConstants;
import io.spacepanda.internal.net.ping.PingInitiator;
import io.spacepanda.internal.net.ping.PingResponder;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Identify and ping of this package against js-libp2p 3.x over 127.0.0.1, both directions. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IdentifyPingJsInteropTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String AGENT = "spacepanda-test/1";
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
    h.setProtocolHandler(IdentifyConstants.PROTOCOL_ID,
        (connection, stream, protocol) -> IdentifyResponder.respond(stream, announce(h, connection)));
    h.setProtocolHandler(PingConstants.PROTOCOL_ID, (c, s, p) -> new PingResponder());
    hosts.add(h);
    return h;
  }

  private static IdentifyMessage announce(Host h, Connection connection) {
    return new IdentifyMessage(IdentifyConstants.PROTOCOL_VERSION, AGENT, h.publicKey().encoded(),
        h.listenAddresses().stream().map(Multiaddr::toBytes).toList(),
        connection.remoteAddress().toBytes(), h.protocols(), new byte[0]);
  }

  private static JsPeer.Options js(boolean earlyMuxer) {
    return JsPeer.Options.defaults().withEarlyMuxer(earlyMuxer).withTimeout(Duration.ofSeconds(60));
  }

  @ParameterizedTest(name = "earlyMuxer={0}")
  @ValueSource(booleans = {true, false})
  void javaDialsJs_identifyAndPing_succeed(boolean earlyMuxer) throws Exception {
    Host h = host(earlyMuxer);
    try (JsPeer js = JsPeer.listen(js(earlyMuxer))) {
      Connection c = h.dial(Multiaddr.parse(js.multiaddr())).get(20, TimeUnit.SECONDS);

      IdentifyReader reader = new IdentifyReader();
      c.openStream(List.of(IdentifyConstants.PROTOCOL_ID), (conn, s, p) -> reader.attach(s))
          .get(20, TimeUnit.SECONDS);
      IdentifyMessage info = reader.result().get(20, TimeUnit.SECONDS);
      assertTrue(info.agentVersion().startsWith("js-libp2p/"), info.agentVersion());
      assertEquals(js.peerId(), PeerId.fromBytes(
          Libp2pPublicKey.decode(info.publicKey()).peerIdMultihash()).toBase58());
      assertTrue(info.protocols().containsAll(List.of(IdentifyConstants.PROTOCOL_ID,
          PingConstants.PROTOCOL_ID, JsPeer.ECHO_PROTOCOL)), info.protocols()::toString);
      Multiaddr observed = Multiaddr.fromBytes(info.observedAddr().orElseThrow());
      assertEquals(c.localAddress().withoutPeerId(), observed.withoutPeerId());
      assertEquals(List.of(Multiaddr.parse(js.multiaddr()).withoutPeerId()),
          info.listenAddrs().stream().map(IdentifyPingJsInteropTest::parse).toList());

      PingInitiator pinger = new PingInitiator(RANDOM, System::nanoTime);
      c.openStream(List.of(PingConstants.PROTOCOL_ID), (conn, s, p) -> pinger.attach(s))
          .get(20, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        Duration rtt = pinger.ping().get(20, TimeUnit.SECONDS);
        assertTrue(rtt.compareTo(Duration.ZERO) > 0);
      }
      pinger.close();
    }
  }

  private static Multiaddr parse(byte[] bytes) {
    try {
      return Multiaddr.fromBytes(bytes);
    } catch (Exception e) {
      throw new AssertionError("js sent a bad listen address", e);
    }
  }

  @ParameterizedTest(name = "earlyMuxer={0}")
  @ValueSource(booleans = {true, false})
  void jsDialsJava_identifyAndPing_succeed(boolean earlyMuxer) throws Exception {
    Host h = host(earlyMuxer);
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    String target = h.fullListenAddresses().get(0).toString();
    try (JsPeer js = JsPeer.dial(target, js(earlyMuxer).withRun("identify-ping"))) {
      List<JsonNode> results = js.awaitResults(Duration.ofSeconds(50));
      JsonNode identify = results.get(0);
      assertEquals(h.peerId().toBase58(), identify.get("remotePeer").asText());
      assertEquals(AGENT, identify.get("agentVersion").asText());
      assertEquals(IdentifyConstants.PROTOCOL_VERSION, identify.get("protocolVersion").asText());
      List<String> protocols = new ArrayList<>();
      identify.get("protocols").forEach(p -> protocols.add(p.asText()));
      assertEquals(h.protocols().stream().sorted().toList(), protocols.stream().sorted().toList());
      assertTrue(identify.get("observedAddr").asText().startsWith("/ip4/127.0.0.1/tcp/"));
      assertEquals(target.substring(0, target.indexOf("/p2p/")),
          identify.get("listenAddrs").get(0).asText());
      assertTrue(identify.get("rttMs").asDouble() >= 0);
    }
  }
}
