package io.spacepanda.internal.net.kad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Buckets, the IP-group diversity filter and ping-before-evict in the table and the DHT. */
class RoutingTableTest {

  private static KadPeer at(PeerId id, String ip) throws Exception {
    return new KadPeer(id, List.of(Multiaddr.tcp(InetAddress.getByName(ip), 4001)));
  }

  @Test
  void diversity_atMostTwoPerSlash16PerBucket_privateAddressesExempt() throws Exception {
    Random r = new Random(3);
    PeerId self = KadMessageTest.peer(r);
    RoutingTable t = new RoutingTable(self, 20, 2, 10);
    int added = 0;
    int rejected = 0;
    // Bucket 0 holds half of all ids; offer peers from one /16 until 2 of them landed there.
    for (int i = 0; i < 40; i++) {
      RoutingTable.Outcome o = t.offer(at(KadMessageTest.peer(r), "93.184." + i + ".1"));
      if (o == RoutingTable.Outcome.ADDED) {
        added++;
      } else if (o == RoutingTable.Outcome.REJECTED) {
        rejected++;
      }
    }
    assertTrue(added <= 10, "one /16 holds " + added);
    assertTrue(rejected > 0);
    for (int i = 0; i < 30; i++) {
      assertTrue(t.offer(at(KadMessageTest.peer(r), "10.0.0." + i)) != RoutingTable.Outcome.REJECTED);
    }
    assertEquals(RoutingTable.Outcome.REJECTED, t.offer(at(self, "10.0.0.1")));
  }

  @Test
  void fullBucket_pingsOldest_keepsItWhenAlive_replacesItWhenDead() throws Exception {
    KadSim sim = new KadSim(9);
    KadConfig cfg = KadConfig.defaults().withDiversity(100, 1000);
    List<KadSim.Node> nodes = sim.addNodes(200, cfg);
    KadSim.Node me = nodes.get(0);
    KadId myId = KadId.of(me.id.bytes());
    // Fill bucket 0 with 20 peers, then offer a 21st of the same bucket.
    List<KadSim.Node> bucket0 = nodes.stream().skip(1)
        .filter(n -> myId.commonPrefixLength(KadId.of(n.id.bytes())) == 0).toList();
    for (int i = 0; i < 20; i++) {
      me.dht.peerSeen(bucket0.get(i).peer);
    }
    KadSim.Node oldest = bucket0.get(0);
    me.dht.peerSeen(bucket0.get(20).peer);
    sim.clock.runFor(10_000);
    assertNotNull(me.dht.tableEntry(oldest.id), "an alive oldest peer stays");
    assertNull(me.dht.tableEntry(bucket0.get(20).id));
    // Now the oldest is bucket0[1] (bucket0[0] was refreshed); take it offline.
    bucket0.get(1).online = false;
    me.dht.peerSeen(bucket0.get(21).peer);
    sim.clock.runFor(10_000);
    assertNull(me.dht.tableEntry(bucket0.get(1).id), "a dead oldest peer is evicted");
    assertNotNull(me.dht.tableEntry(bucket0.get(21).id));
    assertFalse(me.dht.routingTableSize() > 20);
  }
}
