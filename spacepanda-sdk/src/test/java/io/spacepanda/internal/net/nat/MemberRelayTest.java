package io.spacepanda.internal.net.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConfig;
import io.spacepanda.internal.net.relay.RelayService;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that needs a relay prefers one that is a member of one of its spaces over its bootstrap
 * relay, and the member relay grants members its member limits (Java hosts over 127.0.0.1).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberRelayTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private record Node(Host host, IdentitySigner identity, Multiaddr addr) {}

  private Node node() throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(RANDOM);
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).reusePort(true).build();
    closing.add(h);
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    return new Node(h, id, h.fullListenAddresses().get(0));
  }

  private RelayService relay(Node n, RelayConfig config) {
    RelayService s = new RelayService(n.host, n.identity, config, Clock.systemUTC());
    closing.add(s);
    return s;
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 800 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), what + " not reached within 20 s");
  }

  private static boolean holds(NatTraversal nt, PeerId relay) {
    return nt.relayClient().reservations().stream().anyMatch(h -> h.relay().equals(relay));
  }

  @Test
  void aMemberRelay_isPreferredOverTheBootstrapRelay_andGrantsMemberLimits() throws Exception {
    Node bootstrap = node();
    Node memberRelay = node();
    Node client = node();
    // the bootstrap relay serves no AutoNAT, so the client cannot learn it is reachable and needs a relay
    relay(bootstrap, RelayConfig.defaults());
    RelayService member = relay(memberRelay, RelayConfig.defaults().withMemberLimits(Duration.ofMinutes(10), 4 << 20));
    member.setMemberPredicate(p -> p.equals(client.host.peerId()));
    NatTraversal nt = new NatTraversal(client.host, client.identity,
        new NatOptions(false, true, RelayConfig.defaults()), List.of(bootstrap.addr));
    closing.add(nt);
    nt.setMemberPredicate(p -> p.equals(memberRelay.host.peerId()));

    client.host.dial(bootstrap.addr).get(10, TimeUnit.SECONDS);
    eventually("a reservation on the bootstrap relay", () -> holds(nt, bootstrap.host.peerId()));

    client.host.dial(memberRelay.addr).get(10, TimeUnit.SECONDS);
    eventually("a reservation on the member relay", () -> holds(nt, memberRelay.host.peerId()));
    RelayClient.Held held = nt.relayClient().reservations().stream()
        .filter(h -> h.relay().equals(memberRelay.host.peerId())).findFirst().orElseThrow();
    assertEquals(600, held.limitOrNull().durationSeconds(), "the member relay's member limits");
    assertEquals(4 << 20, held.limitOrNull().dataBytes());
    assertTrue(member.hasReservation(client.host.peerId()));

    PeerId someone = PeerId.fromBytes(IdentitySigner.generateEd25519(RANDOM).publicKey().peerIdMultihash());
    List<Multiaddr> circuits = nt.circuitAddresses(someone);
    assertEquals(2, circuits.size(), circuits::toString);
    assertTrue(circuits.get(0).toString().contains(memberRelay.host.peerId().toBase58()),
        "member relays are tried first: " + circuits);
  }
}
