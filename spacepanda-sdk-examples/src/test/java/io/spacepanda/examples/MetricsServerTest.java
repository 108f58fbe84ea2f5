package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Starts the metrics example on a free port and scrapes it over loopback as Prometheus would. */
class MetricsServerTest {

  @Test
  void scrape_twoChattingNodes_spacepandaMetersPresentWithSaneValues() throws Exception {
    try (MetricsServer server = MetricsServer.start(0)) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest get = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
          .timeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> response = client.send(get, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      String body = response.body();

      assertEquals(1.0, value(body, "spacepanda_spaces", "alice"), body);
      assertEquals(1.0, value(body, "spacepanda_spaces", "bob"), body);
      assertTrue(value(body, "spacepanda_messages_sent_total", "alice") >= 1, body);
      assertTrue(value(body, "spacepanda_messages_received_total", "bob") >= 1, body);
      assertTrue(value(body, "spacepanda_envelopes_received_total", "bob") >= 1, body);
      assertTrue(value(body, "spacepanda_steps_seconds_count", "alice") >= 1, body);
      assertEquals(0.0, value(body, "spacepanda_sync_gaps", "alice"), body);
      double backlog = value(body, "spacepanda_outbox_backlog", "alice");
      assertTrue(backlog >= 0 && backlog < 100, body);
      double peers = value(body, "spacepanda_peers_connected", "alice");
      assertTrue(peers >= 0 && peers <= 1, body);
      assertTrue(body.contains("spacepanda_envelopes_dropped_total{node=\"alice\",reason="), body);
    }
  }

  /** The first sample of a metric for a node (other tags ignored). */
  private static double value(String body, String metric, String node) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$")
        .matcher(body);
    while (m.find()) {
      if (m.group(1).contains("node=\"" + node + "\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(metric + " for " + node + " not in the scrape");
  }
}
