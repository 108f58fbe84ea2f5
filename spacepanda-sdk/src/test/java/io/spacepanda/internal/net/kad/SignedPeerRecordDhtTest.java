package io.spacepanda.internal.net.kad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.record.PeerRecord;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.Scheduler;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Signed peer records (RFC 0003) stored in the DHT over real hosts on loopback: a peer publishes
 * its record under {@code /sp/pr/<peer id>}, a peer that knows only a third one fetches and
 * verifies it, a newer record wins, and a forged one is refused by the storing node.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SignedPeerRecordDhtTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    timer.shutdownNow();
  }

  private record N(Host host, KadDht dht, IdentitySigner id) {
    KadPeer peer() {
      return new KadPeer(host.peerId(), host.listenAddresses());
    }
  }

  private N node() throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(RANDOM);
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).build();
    closing.add(h);
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    KadDht d = HostKadNetwork.attach(h, KadConfig.defaults(), Scheduler.of(timer), System::currentTimeMillis,
        new Random(RANDOM.nextLong()));
    closing.add(d);
    return new N(h, d, id);
  }

  @Test
  void publishedRecord_isFoundThroughAThirdPeer_newestWins_forgeryRefused() throws Exception {
    N a = node();
    N b = node();
    N c = node();
    a.dht().addPeers(List.of(b.peer()));
    c.dht().addPeers(List.of(b.peer()));
    byte[] key = Validators.peerRecordKey(a.host().peerId().bytes());
    Clock t1 = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    byte[] old = PeerRecord.now(a.host().peerId(), a.host().listenAddresses(), t1).sign(a.id());
    assertTrue(a.dht().putValue(key, old).get(30, TimeUnit.SECONDS) >= 1);
    List<Multiaddr> moved = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"));
    byte[] newer = PeerRecord.now(a.host().peerId(), moved, Clock.offset(t1, java.time.Duration.ofSeconds(5)))
        .sign(a.id());
    assertTrue(a.dht().putValue(key, newer).get(30, TimeUnit.SECONDS) >= 1);
    // b keeps the newer record even when the older one is put again.
    b.dht().handle(a.host().peerId(), new KadMessage(KadMessage.Type.PUT_VALUE, key,
        new KadMessage.Record(key, old, ""), List.of(), List.of(), 0));

    byte[] got = c.dht().getValue(key).get(30, TimeUnit.SECONDS);
    assertNotNull(got, "c found a's record through b");
    PeerRecord r = PeerRecord.verify(got);
    assertEquals(a.host().peerId(), r.peerId());
    assertEquals(moved, r.addresses());

    // c forges a record for a's key, signed by itself: the storing node refuses it.
    byte[] forged = PeerRecord.now(c.host().peerId(), moved, t1).sign(c.id());
    assertThrows(KadException.class, () -> b.dht().handle(c.host().peerId(), new KadMessage(
        KadMessage.Type.PUT_VALUE, key, new KadMessage.Record(key, forged, ""), List.of(), List.of(), 0)));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> c.dht().putValue(key, forged).get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof KadException);
    PeerId stillA = PeerRecord.verify(b.dht().localValue(key)).peerId();
    assertEquals(a.host().peerId(), stillA);
  }
}
