package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.host.Host;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PingTest {

  @Test
  void dial_listenerOnLoopback_connectsIdentifiesAndPings() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Host listener = Ping.startListening("/ip4/127.0.0.1/tcp/0");
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      String address = listener.fullListenAddresses().get(0).toString();
      assertTrue(address.startsWith("/ip4/127.0.0.1/tcp/") && address.contains("/p2p/"), address);

      Ping.dial(address, 3, Duration.ZERO, out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(printed.contains("agent spacepanda-ping-example/0.1.0"), printed);
    assertTrue(printed.contains("/ipfs/ping/1.0.0"), printed);
    Matcher pings = Pattern.compile("(?m)^ping (\\d): \\d+\\.\\d{3} ms$").matcher(printed);
    int count = 0;
    while (pings.find()) {
      count++;
      assertEquals(Integer.toString(count), pings.group(1), printed);
    }
    assertEquals(3, count, printed);
  }
}
