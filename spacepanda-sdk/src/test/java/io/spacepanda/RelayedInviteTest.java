package io.spacepanda;

import static io.spacepanda.TcpTestNode.await;
import static io.spacepanda.TcpTestNode.channel;
import static io.spacepanda.TcpTestNode.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.nat.NatOptions;
import io.spacepanda.internal.net.relay.RelayConfig;
import io.spacepanda.internal.net.relay.RelayService;
import io.spacepanda.internal.net.transport.Libp2pTransport;
import io.spacepanda.internal.net.transport.Libp2pTransportConfig;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.spi.Transport;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer joins through the public API with an invite code whose only address is the
 * inviter's relayed address ({@code <relay>/p2p/<relay>/p2p-circuit}), over real TCP on 127.0.0.1:
 * the invite carries the relayed address, the join request and the first messages go through the
 * relay.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.extension.ExtendWith(io.spacepanda.logs.DumpLogsOnFailure.class)
class RelayedInviteTest {

  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private TcpTestNode start(String name, AtomicReference<Libp2pTransport> transport) throws Exception {
    Transport.Factory nat = Libp2pTransport.factory(Libp2pTransportConfig.defaults(),
        new NatOptions(false, true, RelayConfig.defaults()));
    TcpTestNode n = new TcpTestNode(name);
    n.node = SpacePanda.builder()
        .dataDir(dir.resolve(name))
        .listen(LOOPBACK)
        .transport(ctx -> {
          Transport t = nat.create(ctx);
          transport.set((Libp2pTransport) t);
          return t;
        })
        .jitter(Jitter.none())
        .listener(n)
        .build();
    closing.add(n.node);
    await(n.node.start());
    return n;
  }

  @Test
  void newcomer_joinsWithAnInviteNamingOnlyTheInvitersRelayedAddress() throws Exception {
    IdentitySigner relayId = IdentitySigner.generateEd25519(new SecureRandom());
    Host relay = Host.builder().identity(relayId).muxer(new YamuxMuxerFactory()).build();
    closing.add(relay);
    relay.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    RelayService service = new RelayService(relay, relayId, RelayConfig.defaults(), Clock.systemUTC());
    closing.add(service);
    Multiaddr relayAddr = relay.fullListenAddresses().get(0);

    AtomicReference<Libp2pTransport> aliceTransport = new AtomicReference<>();
    TcpTestNode alice = start("alice", aliceTransport);
    TcpTestNode bob = start("bob", new AtomicReference<>());
    // loopback is reachable, so AutoNAT would never ask for a relay: reserve as a NATed node would
    aliceTransport.get().natTraversalOrNull().relayClient().keepReservation(relayAddr);
    waitFor(() -> service.hasReservation(alice.id()), "alice's reservation");
    waitFor(() -> alice.node.listenAddresses().stream().anyMatch(a -> a.contains("/p2p-circuit")),
        "alice advertising her relayed address");

    Space team = await(alice.node.createSpace("Team"));
    InviteCode full = InviteCode.parse(await(team.createInvite()));
    String circuit = relayAddr + "/p2p-circuit";
    assertTrue(full.inviter().addresses().contains(circuit), full.inviter().addresses()::toString);
    // the inviter as a newcomer behind a NAT sees it: reachable only through the relay
    InviteCode relayedOnly = InviteCode.of(full.spaceId(),
        new Contact(alice.id(), full.inviter().inboxKey(), List.of(circuit)), full.secret(), full.expiresAt());

    Space bobTeam = await(bob.node.join(relayedOnly.toText()));
    assertEquals(team.id(), bobTeam.id());
    assertTrue(service.circuitsOpened() >= 1, "bob reached alice through the relay");
    await(channel(bob, team, "general").send("bob: joined through the relay"));
    alice.expect("bob: joined through the relay");
    await(channel(alice, team, "general").send("alice: welcome"));
    bob.expect("alice: welcome");
  }
}
