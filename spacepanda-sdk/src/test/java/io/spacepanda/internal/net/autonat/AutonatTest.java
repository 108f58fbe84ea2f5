package io.spacepanda.internal.net.autonat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.autonat.AutonatClient.Reachability;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AutoNAT v1 messages, and probes between Java hosts on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutonatTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Host host(boolean listen) throws Exception {
    Host h = Host.builder().identity(IdentitySigner.generateEd25519(RANDOM)).muxer(new YamuxMuxerFactory()).build();
    closeables.add(h);
    if (listen) {
      h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    }
    return h;
  }

  @Test
  void messages_haveTheSpecsShape() throws Exception {
    AutonatMessage dial = AutonatMessage.dial(new byte[] {0, 1, 7}, List.of(new byte[] {4, 127, 0, 0, 1}));
    // type DIAL, dial { peer { id, addrs } }
    assertEquals("0800" + "120e" + "0a0c" + "0a03000107" + "1205047f000001", HexFormat.of().formatHex(dial.encode()));
    AutonatMessage back = AutonatMessage.decode(dial.encode());
    assertArrayEquals(new byte[] {0, 1, 7}, back.peerId());
    AutonatMessage resp = AutonatMessage.decode(AutonatMessage.response(AutonatMessage.E_DIAL_ERROR, "no", new byte[0])
        .encode());
    assertEquals(AutonatMessage.E_DIAL_ERROR, resp.status());
    assertEquals("no", resp.statusText());
    assertThrows(AutonatException.class, () -> AutonatMessage.decode(new byte[0]));
    assertThrows(AutonatException.class, () -> AutonatMessage.decode(new byte[AutonatMessage.MAX_MESSAGE_BYTES + 1]));
  }

  @Property(tries = 200)
  void dial_roundTrips(@ForAll @Size(min = 1, max = 40) byte[] id, @ForAll @Size(max = 5) List<@Size(max = 40) byte[]> addrs)
      throws Exception {
    AutonatMessage m = AutonatMessage.dial(id, addrs);
    assertArrayEquals(m.encode(), AutonatMessage.decode(m.encode()).encode());
  }

  @Property(tries = 500)
  void randomAndMutatedBytes_decodeOrFailTyped(@ForAll @Size(max = 300) byte[] noise,
      @ForAll @IntRange(min = 0, max = 300) int at, @ForAll byte xor) {
    try {
      AutonatMessage.decode(noise);
    } catch (AutonatException expected) {
      assertTrue(expected.getMessage() != null);
    }
    byte[] wire = AutonatMessage.dial(new byte[] {0, 1, 7}, List.of(new byte[] {4, 127, 0, 0, 1})).encode();
    wire[at % wire.length] ^= xor;
    try {
      AutonatMessage.decode(wire);
    } catch (AutonatException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Property(tries = 200)
  void response_roundTrips_andMutatedResponse_decodeOrFailTyped(
      @ForAll @IntRange(min = 0, max = 4) int statusIndex,
      @ForAll @net.jqwik.api.constraints.AlphaChars @Size(max = 40) String text,
      @ForAll @Size(max = 40) byte[] addr, @ForAll @IntRange(min = 0, max = 300) int at,
      @ForAll byte xor) throws Exception {
    int status = new int[] {AutonatMessage.OK, AutonatMessage.E_DIAL_ERROR,
        AutonatMessage.E_DIAL_REFUSED, AutonatMessage.E_BAD_REQUEST,
        AutonatMessage.E_INTERNAL_ERROR}[statusIndex];
    AutonatMessage m = AutonatMessage.response(status, text, addr);
    byte[] wire = m.encode();
    AutonatMessage back = AutonatMessage.decode(wire);
    assertEquals(status, back.status());
    assertEquals(text, back.statusText());
    assertArrayEquals(addr, back.addr());
    assertArrayEquals(wire, back.encode());
    wire[at % wire.length] ^= xor;
    try {
      AutonatMessage.decode(wire);
    } catch (AutonatException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Test
  void reachableHost_isPublic_andUnreachableOne_isPrivate() throws Exception {
    Host server = host(true);
    closeables.add(new AutonatService(server, Duration.ofSeconds(5), 2));
    Multiaddr serverAddr = server.fullListenAddresses().get(0);

    Host open = host(true);
    AutonatClient openClient = new AutonatClient(open, Duration.ofSeconds(10));
    Connection c = open.dial(serverAddr).get(10, TimeUnit.SECONDS);
    assertEquals(Reachability.UNKNOWN, openClient.reachability());
    assertEquals(AutonatMessage.OK, openClient.probe(c, open.listenAddresses()).get(10, TimeUnit.SECONDS));
    assertEquals(Reachability.PUBLIC, openClient.reachability());

    Host closed = host(false);
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    AutonatClient closedClient = new AutonatClient(closed, Duration.ofSeconds(10));
    Connection c2 = closed.dial(serverAddr).get(10, TimeUnit.SECONDS);
    List<Multiaddr> dead = List.of(Multiaddr.tcp(InetAddress.getLoopbackAddress(), deadPort));
    assertEquals(AutonatMessage.E_DIAL_ERROR, closedClient.probe(c2, dead).get(10, TimeUnit.SECONDS));
    assertEquals(Reachability.PRIVATE, closedClient.reachability());

    // an address of another IP than the one observed is never dialed
    List<Multiaddr> elsewhere = List.of(Multiaddr.parse("/ip4/192.0.2.7/tcp/4001"));
    assertEquals(AutonatMessage.E_DIAL_REFUSED, closedClient.probe(c2, elsewhere).get(10, TimeUnit.SECONDS));
    assertEquals(Reachability.PRIVATE, closedClient.reachability());
  }
}
