package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Transport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What members publish in the DHT (issue 12 items 5 and 8), on the simulated network with a
 * shared in-process DHT that records every key and value written: over many hours and several
 * epochs no key or value holds a space, channel or member identifier, and no key is used in two
 * time windows; a sealed envelope for a member no mailbox can reach is parked in the DHT and
 * fetched by that member when it returns, after its sender went offline. Rerun a seed with {@code
 * -Dspacepanda.seed=S}.
 */
class DhtRendezvousTest {

  /** A DHT every online node reaches: the value with the latest expiry wins; puts are recorded. */
  static final class FakeDht {
    final Map<String, byte[]> store = new ConcurrentHashMap<>();
    final List<Object[]> puts = Collections.synchronizedList(new ArrayList<>()); // tag, value, time
    final Set<PeerId> offline = ConcurrentHashMap.newKeySet();
    final SimCluster cluster;

    FakeDht(SimCluster cluster) {
      this.cluster = cluster;
    }

    long now() {
      return cluster.net.clock().millis();
    }

    boolean put(PeerId who, byte[] tag, byte[] value) {
      if (offline.contains(who) || tag.length != 32 || value.length < 24 || value.length > 8192) {
        return false;
      }
      long exp = ByteBuffer.wrap(value, 0, 8).getLong();
      if (exp <= now() || exp - now() > 48L * 3600 * 1000) {
        return false;
      }
      puts.add(new Object[] {tag.clone(), value.clone(), now()});
      store.merge(HexFormat.of().formatHex(tag), value.clone(),
          (old, v) -> ByteBuffer.wrap(v, 0, 8).getLong() >= ByteBuffer.wrap(old, 0, 8).getLong() ? v : old);
      return true;
    }

    Optional<byte[]> get(PeerId who, byte[] tag) {
      if (offline.contains(who)) {
        return Optional.empty();
      }
      byte[] v = store.get(HexFormat.of().formatHex(tag));
      return v == null || ByteBuffer.wrap(v, 0, 8).getLong() <= now() ? Optional.empty() : Optional.of(v.clone());
    }

    UnaryOperator<Transport.Factory> wrap() {
      return factory -> context -> {
        Transport t = factory.create(context);
        PeerId me = context.localPeer();
        return new Transport() {
          @Override
          public CompletableFuture<Void> start() {
            return t.start();
          }

          @Override
          public List<String> listenAddresses() {
            return t.listenAddresses();
          }

          @Override
          public void addPeerAddress(PeerId peer, String address) {
            t.addPeerAddress(peer, address);
          }

          @Override
          public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
            return t.send(recipient, envelope);
          }

          @Override
          public Set<PeerId> connectedPeers() {
            return t.connectedPeers();
          }

          @Override
          public CompletableFuture<Boolean> putRendezvous(byte[] tag, byte[] value) {
            return CompletableFuture.completedFuture(put(me, tag, value));
          }

          @Override
          public CompletableFuture<Optional<byte[]>> getRendezvous(byte[] tag) {
            return CompletableFuture.completedFuture(get(me, tag));
          }

          @Override
          public void close() {
            t.close();
          }
        };
      };
    }
  }

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync();
    System.out.println("DhtRendezvousTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private SimCluster.Node node(String name, FakeDht dht) {
    return cluster.node(name, Storages.inMemory(), dht == null ? UnaryOperator.identity() : dht.wrap(),
        Jitter.none(), UnaryOperator.identity());
  }

  private void join(Space team, SimCluster.Node m) {
    cluster.await(m.node().join(cluster.await(team.createInvite())));
    cluster.settle();
  }

  private static Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void publishedKeysAndValues_holdNoStableIdentifier_andKeysRotateEveryWindow() {
    String why = "seed " + seed;
    FakeDht dht = new FakeDht(cluster);
    SimCluster.Node alice = node("alice", dht);
    SimCluster.Node bob = node("bob", dht);
    SimCluster.Node carol = node("carol", dht);
    Space team = cluster.await(alice.node().createSpace("Team"));
    join(team, bob);
    Channel side = cluster.await(team.createChannel("side"));
    List<SimCluster.Node> members = new ArrayList<>(List.of(alice, bob, carol));
    for (int hour = 0; hour < 12; hour++) {
      if (hour == 3) {
        join(team, carol); // an epoch change
      }
      if (hour == 7) {
        SimCluster.Node dave = node("dave", dht);
        join(team, dave); // another
        members.add(dave);
      }
      cluster.run(Duration.ofMinutes(60));
    }
    // what must never appear, whole or as any 8-byte slice
    List<byte[]> secrets = new ArrayList<>();
    secrets.add(HexFormat.of().parseHex(team.id()));
    secrets.add(HexFormat.of().parseHex(general(alice, team).id()));
    secrets.add(HexFormat.of().parseHex(side.id()));
    for (SimCluster.Node m : members) {
      secrets.add(m.id().bytes());
      secrets.add(m.id().toString().getBytes(StandardCharsets.UTF_8));
    }
    secrets.add("Team".getBytes(StandardCharsets.UTF_8));
    List<byte[]> needles = new ArrayList<>();
    for (byte[] s : secrets) {
      for (int i = 0; i + 8 <= s.length; i++) {
        needles.add(java.util.Arrays.copyOfRange(s, i, i + 8));
      }
    }
    List<Object[]> puts = List.copyOf(dht.puts);
    System.out.println("DHT puts over 12 h: " + puts.size());
    // each of 4 members publishes at least every half hour in every space it is in
    assertTrue(puts.size() >= 12 * 2 * 2, "puts recorded: " + puts.size() + "; " + why);
    Map<String, Set<Long>> windowsOfTag = new HashMap<>();
    for (Object[] p : puts) {
      byte[] tag = (byte[]) p[0];
      byte[] value = (byte[]) p[1];
      for (byte[] n : needles) {
        assertTrue(!contains(tag, n) && !contains(value, n), "an identifier leaked into the DHT; " + why);
      }
      long window = (Long) p[2] / Duration.ofHours(1).toMillis();
      windowsOfTag.computeIfAbsent(HexFormat.of().formatHex(tag), k -> new HashSet<>()).add(window);
    }
    for (Map.Entry<String, Set<Long>> e : windowsOfTag.entrySet()) {
      assertEquals(1, e.getValue().size(), "key " + e.getKey() + " used in windows " + e.getValue() + "; " + why);
    }
    assertTrue(windowsOfTag.size() >= 12 * 2, "distinct keys: " + windowsOfTag.size() + "; " + why);

    // and the keys work: a member finds another's signed contact; a non-member finds nothing
    io.spacepanda.internal.node.Node bobInside = ((NodeFront) bob.node()).node();
    assertTrue(cluster.await(io.spacepanda.internal.node.NodeInternals.rendezvousLookup(bobInside,
        alice.id())), "bob found alice's contact; " + why);
    SimCluster.Node eve = node("eve", dht);
    io.spacepanda.internal.node.Node eveInside = ((NodeFront) eve.node()).node();
    assertTrue(!cluster.await(io.spacepanda.internal.node.NodeInternals.rendezvousLookup(eveInside,
        alice.id())), "eve shares no space with alice; " + why);
  }

  @Test
  void noMailboxReachable_envelopeParkedInTheDht_fetchedWhenTheMemberReturns() {
    String why = "seed " + seed;
    FakeDht dht = new FakeDht(cluster);
    SimCluster.Node alice = node("alice", dht);
    SimCluster.Node carol = node("carol", dht);
    Space team = cluster.await(alice.node().createSpace("Team"));
    join(team, carol);
    assertEquals(2, general(carol, team).members().size(), why);

    cluster.net.partition(Set.of(carol.id()), Set.of(alice.id()));
    dht.offline.add(carol.id());
    general(alice, team).send("parked for carol");
    cluster.settle();
    alice.node().close();
    assertEquals(List.of(), carol.events().texts(), why);
    assertTrue(dht.puts.stream().anyMatch(p -> ((byte[]) p[1]).length > 100), "parked; " + why);

    cluster.net.heal();
    dht.offline.remove(carol.id());
    cluster.run(Duration.ofMinutes(11));
    assertEquals(List.of("parked for carol"), carol.events().texts(), why);
  }

  @Test
  void withoutTheDht_theSameEnvelopeIsNotDelivered() {
    String why = "seed " + seed;
    SimCluster.Node alice = node("alice", null);
    SimCluster.Node carol = node("carol", null);
    Space team = cluster.await(alice.node().createSpace("Team"));
    join(team, carol);
    cluster.net.partition(Set.of(carol.id()), Set.of(alice.id()));
    general(alice, team).send("parked for carol");
    cluster.settle();
    alice.node().close();
    cluster.net.heal();
    cluster.run(Duration.ofMinutes(11));
    assertEquals(List.of(), carol.events().texts(), why);
  }
}
