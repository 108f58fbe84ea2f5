package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.Storages;
import io.spacepanda.spi.KnownPeer;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted address book (issue 12 item 4) over loopback TCP: a node fills its DHT routing
 * table through a bootstrap node, persists its address book in SQLite through the Storage SPI,
 * stops; the bootstrap node stops too; the node restarts from the same database with no
 * bootstrap address, and its routing table is refilled with at least 90% of its former (still
 * running) peers. The time the refill took is printed, not asserted (10 s is the aim).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AddressBookRestartTest {

  private static final int PEERS = 10;
  private static final TransportListener QUIET = (peer, envelope) -> CompletableFuture.completedFuture(null);

  @TempDir
  Path dir;

  private final List<Libp2pTransport> running = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (Libp2pTransport t : running) {
      t.close();
    }
  }

  private Libp2pTransport start(TransportFixtures.TestIdentity id, List<String> bootstrap,
      List<KnownPeer> restore) throws Exception {
    TransportContext ctx = new TransportContext(id.peer(), id, List.of(TransportFixtures.LOOPBACK),
        bootstrap, QUIET);
    Libp2pTransport t = new Libp2pTransport(ctx, TransportFixtures.shortTimeouts());
    running.add(t);
    t.restoreKnownPeers(restore);
    t.start().get(30, TimeUnit.SECONDS);
    return t;
  }

  private static Set<PeerId> table(Libp2pTransport t) {
    Set<PeerId> out = new HashSet<>();
    t.dht().routingTablePeers().forEach(p -> out.add(p.id()));
    return out;
  }

  @Test
  void restartWithoutBootstrap_refillsTheRoutingTableFromTheStoredAddressBook() throws Exception {
    Libp2pTransport boot = start(new TransportFixtures.TestIdentity(), List.of(), List.of());
    List<String> bootAddr = boot.listenAddresses();
    List<Libp2pTransport> others = new ArrayList<>();
    for (int i = 0; i < PEERS; i++) {
      others.add(start(new TransportFixtures.TestIdentity(), bootAddr, List.of()));
    }
    TransportFixtures.TestIdentity me = new TransportFixtures.TestIdentity();
    Libp2pTransport first = start(me, bootAddr, List.of());
    Set<PeerId> alive = new HashSet<>();
    others.forEach(o -> alive.add(o.dht().self()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!table(first).containsAll(alive) && System.nanoTime() < deadline) {
      first.dht().refresh().get(30, TimeUnit.SECONDS);
      Thread.sleep(100);
    }
    Set<PeerId> before = table(first);
    before.retainAll(alive); // the bootstrap node will be gone
    assertTrue(before.size() >= PEERS * 9 / 10, "table filled through the bootstrap node: " + before.size());

    Path db = dir.resolve("node");
    try (Storage s = Storages.sqlite(db)) {
      List<KnownPeer> snapshot = first.knownPeers();
      assertTrue(snapshot.stream().filter(KnownPeer::routing).count() >= before.size());
      s.inTransaction(t -> t.replaceKnownPeers(snapshot));
    }
    first.close();
    boot.close();

    List<KnownPeer> kept;
    try (Storage s = Storages.sqlite(db)) {
      kept = s.inTransaction(t -> t.knownPeers());
    }
    long t0 = System.nanoTime();
    Libp2pTransport again = start(me, List.of(), kept);
    long refillDeadline = t0 + TimeUnit.SECONDS.toNanos(20);
    Set<PeerId> now = table(again);
    while (now.stream().filter(before::contains).count() < Math.ceil(before.size() * 0.9)
        && System.nanoTime() < refillDeadline) {
      Thread.sleep(20);
      now = table(again);
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    long refilled = now.stream().filter(before::contains).count();
    System.out.printf("address book restart: %d of %d former routing-table peers back in %d ms"
        + " (aim: >= 90%% within 10 s), no bootstrap node%n", refilled, before.size(), took);
    assertTrue(refilled >= Math.ceil(before.size() * 0.9),
        "refilled " + refilled + " of " + before.size());
    assertEquals(0, again.dht().routingTablePeers().stream()
        .filter(p -> p.id().equals(boot.dht().self())).count(), "the stopped bootstrap node is not back");
  }

  @Test
  void connect_withStaleAddress_findsThePeerThroughTheDht() throws Exception {
    Libp2pTransport boot = start(new TransportFixtures.TestIdentity(), List.of(), List.of());
    List<String> bootAddr = boot.listenAddresses();
    Libp2pTransport a = start(new TransportFixtures.TestIdentity(), bootAddr, List.of());
    Libp2pTransport b = start(new TransportFixtures.TestIdentity(), bootAddr, List.of());
    PeerId bp = b.dht().self();
    a.addPeerAddress(bp, "/ip4/127.0.0.1/tcp/1"); // stale: nobody listens there
    b.dht().refresh().get(30, TimeUnit.SECONDS);
    a.connect(bp).get(30, TimeUnit.SECONDS);
    assertTrue(a.connectedPeers().contains(bp));
    Libp2pTransport noDht = new Libp2pTransport(TransportFixtures.context(QUIET, List.of()),
        TransportFixtures.shortTimeouts(), (io.spacepanda.internal.net.kad.KadConfig) null);
    running.add(noDht);
    noDht.start().get(30, TimeUnit.SECONDS);
    noDht.addPeerAddress(bp, "/ip4/127.0.0.1/tcp/1");
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> noDht.connect(bp).get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof io.spacepanda.spi.TransportException, e.toString());
  }

  @Test
  void noStoredAddressBook_noBootstrap_emptyTable() throws Exception {
    Libp2pTransport lonely = start(new TransportFixtures.TestIdentity(), List.of(), List.of());
    lonely.dht().refresh().get(30, TimeUnit.SECONDS);
    assertEquals(0, lonely.dht().routingTableSize());
    assertTrue(lonely.knownPeers().isEmpty());
  }
}
