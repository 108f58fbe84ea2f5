package io.spacepanda.internal.net.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks the harness itself: two js peers identify, ping, echo 1 MiB and run parallel streams. */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JsPeerTest {

  @BeforeAll
  static void nodeIsInstalled() {
    assumeTrue(JsPeer.isAvailable(), "node >= 20 and npm are needed");
  }

  @ParameterizedTest(name = "earlyMuxer={0}")
  @ValueSource(booleans = {true, false})
  void jsDialsJs_identifyPingEchoAndParallelStreams_allSucceed(boolean earlyMuxer)
      throws Exception {
    JsPeer.Options options = JsPeer.Options.defaults().withEarlyMuxer(earlyMuxer)
        .withTimeout(Duration.ofSeconds(60));
    try (JsPeer listener = JsPeer.listen(options);
        JsPeer dialer = JsPeer.dial(listener.multiaddr(), options)) {
      assertTrue(listener.multiaddr().startsWith("/ip4/127.0.0.1/tcp/"));
      List<JsonNode> results = dialer.awaitResults(Duration.ofSeconds(50));

      assertEquals(3, results.size(), dialer.stderr());
      JsonNode identify = results.get(0);
      assertEquals(listener.peerId(), identify.get("remotePeer").asText());
      assertEquals("/yamux/1.0.0", identify.get("muxer").asText());
      List<String> protocols = new ArrayList<>();
      identify.get("protocols").forEach(p -> protocols.add(p.asText()));
      assertTrue(protocols.containsAll(
          List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", JsPeer.ECHO_PROTOCOL)), protocols::toString);
      assertEquals(1024 * 1024, results.get(1).get("bytes").asLong());
      assertEquals(32, results.get(2).get("streams").asInt());
    }
  }
}
