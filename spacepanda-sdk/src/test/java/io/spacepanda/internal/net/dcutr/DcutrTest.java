package io.spacepanda.internal.net.dcutr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConfig;
import io.spacepanda.internal.net.relay.RelayService;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.logs.DumpLogsOnFailure;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
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
import org.junit.jupiter.api.extension.ExtendWith;

/** DCUtR messages, and an upgrade from a relayed to a direct connection between Java hosts on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(DumpLogsOnFailure.class) // failed once in 6 runs at load 10: the rounds' DEBUG lines
class DcutrTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void messages_encodeAsTheSpec() throws Exception {
    assertEquals("0864", HexFormat.of().formatHex(new HolePunchMessage(HolePunchMessage.CONNECT, List.of()).encode()));
    assertEquals("08ac02", HexFormat.of().formatHex(new HolePunchMessage(HolePunchMessage.SYNC, List.of()).encode()));
    HolePunchMessage m = HolePunchMessage.decode(HexFormat.of().parseHex("08641202abcd"));
    assertArrayEquals(new byte[] {(byte) 0xab, (byte) 0xcd}, m.obsAddrs().get(0));
    assertThrows(DcutrException.class, () -> HolePunchMessage.decode(new byte[0]));
    assertThrows(DcutrException.class, () -> HolePunchMessage.decode(HexFormat.of().parseHex("0801")));
    assertThrows(DcutrException.class, () -> HolePunchMessage.decode(new byte[HolePunchMessage.MAX_MESSAGE_BYTES + 1]));
  }

  @Property(tries = 200)
  void message_roundTrips(@ForAll boolean sync, @ForAll @Size(max = 5) List<@Size(max = 40) byte[]> addrs)
      throws Exception {
    HolePunchMessage m = new HolePunchMessage(sync ? HolePunchMessage.SYNC : HolePunchMessage.CONNECT, addrs);
    assertArrayEquals(m.encode(), HolePunchMessage.decode(m.encode()).encode());
  }

  @Property(tries = 500)
  void randomAndMutatedBytes_decodeOrFailTyped(@ForAll @Size(max = 300) byte[] noise,
      @ForAll @IntRange(min = 0, max = 300) int at, @ForAll byte xor) {
    try {
      HolePunchMessage.decode(noise);
    } catch (DcutrException expected) {
      assertTrue(expected.getMessage() != null);
    }
    byte[] wire = new HolePunchMessage(HolePunchMessage.CONNECT, List.of(new byte[] {4, 1, 2, 3, 4, 6, 0, 1})).encode();
    wire[at % wire.length] ^= xor;
    try {
      HolePunchMessage.decode(wire);
    } catch (DcutrException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  private Host host(IdentitySigner id) throws Exception {
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).reusePort(true)
        .handshakeTimeout(Duration.ofSeconds(3)).build();
    closeables.add(h);
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    return h;
  }

  @Test
  void relayedConnection_isUpgradedToADirectOne() throws Exception {
    IdentitySigner rid = IdentitySigner.generateEd25519(RANDOM);
    Host r = host(rid);
    closeables.add(new RelayService(r, rid, RelayConfig.defaults(), Clock.systemUTC()));
    Host a = host(IdentitySigner.generateEd25519(RANDOM));
    Host b = host(IdentitySigner.generateEd25519(RANDOM));
    RelayClient ca = new RelayClient(a, Clock.systemUTC(), Duration.ofSeconds(10));
    RelayClient cb = new RelayClient(b, Clock.systemUTC(), Duration.ofSeconds(10));
    closeables.add(ca);
    closeables.add(cb);
    Dcutr da = new Dcutr(a, a::fullListenAddresses, Duration.ofSeconds(5), true);
    Dcutr db = new Dcutr(b, b::fullListenAddresses, Duration.ofSeconds(5), true);
    closeables.add(da);
    closeables.add(db);
    Multiaddr rAddr = r.fullListenAddresses().get(0);
    cb.reserve(b.dial(rAddr).get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
    Multiaddr circuit = Multiaddr.parse(rAddr + "/p2p-circuit/p2p/" + b.peerId().toBase58());
    Connection relayed = a.dial(circuit).get(10, TimeUnit.SECONDS);
    assertTrue(relayed.isRelayed());
    // up to 3 rounds of at most 5 s each. On loopback there is no NAT, so one side's SYN reaches
    // the other's listener and that side's own dial fails: A takes the dialer's role on such an
    // inbound connection (Host.expectSimultaneousOpen; HostTest covers it deterministically) and
    // B waits for a handshake still running. Before those fixes all three rounds failed in 4 of 16
    // runs at load 10 and the first round in 8 of 15; after them the first round succeeded in
    // 15 of 15 at load 11. A round can still time out on a starved machine, so B may start the
    // upgrade again, up to twice, as an application would.
    for (int i = 0; i < 3600; i++) {
      Connection atA = a.connectionOrNull(b.peerId());
      Connection atB = b.connectionOrNull(a.peerId());
      boolean ended = db.upgrades() > 0 && db.finished() == db.upgrades();
      if (ended && atA != null && !atA.isRelayed() && atB != null && !atB.isRelayed()) {
        break;
      }
      // (a direct connection may also come from a dial that won after the last round ended)
      if (ended && db.successes() == 0 && db.upgrades() < 3 && atB != null && atB.isRelayed()
          && atB.isOpen()) {
        db.upgrade(atB);
      }
      Thread.sleep(25);
    }
    Connection direct = a.connectionOrNull(b.peerId());
    assertFalse(direct.isRelayed(), "a direct connection replaced the relayed one; b started "
        + db.upgrades() + " upgrade(s), " + db.finished() + " ended, " + db.successes()
        + " on a direct connection");
    assertTrue(db.upgrades() >= 1 && db.upgrades() <= 3, db.upgrades() + " upgrades");
    assertEquals(db.upgrades(), db.finished());
    assertTrue(b.connectionOrNull(a.peerId()) != null && !b.connectionOrNull(a.peerId()).isRelayed());
    // the relayed connection is closed after the grace period
    relayed.closeFuture().get(10, TimeUnit.SECONDS);
  }
}
