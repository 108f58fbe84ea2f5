package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.spi.Transport;
import io.spacepanda.testkit.RecordingListener;
import io.spacepanda.testkit.TestPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad envelopes, the bytes that leave a node, and jitter, on the simulated network. */
class EnvelopeHandlingTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync();
    System.out.println("EnvelopeHandlingTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Channel general(SpacePanda n, Space s) {
    return n.space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void badEnvelopes_areDroppedNeverStoredNeverReported() throws Exception {
    List<SimCluster.Sent> fromAlice = new ArrayList<>();
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), cluster.tap(fromAlice));
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    byte[] aliceInbox = InviteCode.parse(code).inviter().inboxKey();
    cluster.await(bob.node().join(code));
    fromAlice.clear();
    cluster.await(general(alice.node(), space).send("the only real message"));
    cluster.settle();
    byte[] real = fromAlice.stream().filter(s -> s.to().equals(bob.id())).findFirst()
        .orElseThrow().envelope();
    long droppedBefore = bob.node().droppedEnvelopes();
    long aliceDroppedBefore = alice.node().droppedEnvelopes();

    Transport mallory = cluster.net.transportFactory()
        .create(TestPeers.context(TestPeers.peer(99), new RecordingListener()));
    mallory.start().join();
    Random rnd = new Random(seed);
    List<byte[]> toBob = new ArrayList<>();
    byte[] random = new byte[300];
    rnd.nextBytes(random);
    toBob.add(random);
    toBob.add(new byte[0]);
    toBob.add(Arrays.copyOf(real, real.length / 2));
    toBob.add(real.clone());
    byte[] flipped = real.clone();
    flipped[flipped.length - 1] ^= 1;
    toBob.add(flipped);
    byte[] repadded = Arrays.copyOf(real, real.length + 768);
    toBob.add(repadded);
    byte[] wrongKey = new byte[32];
    rnd.nextBytes(wrongKey);
    toBob.add(GroupEnvelope.seal(GroupEnvelopeKeys.derive(wrongKey), "forged".getBytes(),
        Padding.defaults(), new java.security.SecureRandom()));
    for (byte[] b : toBob) {
      mallory.send(bob.id(), b);
    }
    byte[] junkToAlice = DirectEnvelope.seal(aliceInbox, "not a node message".getBytes());
    mallory.send(alice.id(), junkToAlice);
    cluster.settle();

    String why = "seed " + seed;
    assertTrue(bob.node().droppedEnvelopes() - droppedBefore >= 5,
        why + " dropped " + (bob.node().droppedEnvelopes() - droppedBefore));
    assertEquals(aliceDroppedBefore + 1, alice.node().droppedEnvelopes(), why);
    assertEquals(List.of("the only real message"), bob.events().texts(), why);
    assertEquals(1, general(bob.node(), space).history(10, null).join().size(), why);

    cluster.await(general(bob.node(), space).send("still working"));
    cluster.settle();
    assertEquals(List.of("still working"), alice.events().texts(), why);
    mallory.close();
  }

  @Test
  void bytesLeavingANode_carryNoSenderNoGroupNoEpoch_onlyBucketSizes() {
    List<SimCluster.Sent> fromAlice = new ArrayList<>();
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), cluster.tap(fromAlice));
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    Channel channel = cluster.await(space.createChannel("design"));
    cluster.settle();
    for (int i = 0; i < 5; i++) {
      cluster.await(general(alice.node(), space).send("hello " + i));
      cluster.await(channel.send("x".repeat(300 * i)));
    }
    cluster.await(channel.rotateKeys());
    cluster.await(space.remove(carol.id()));
    cluster.settle();

    List<byte[]> secrets = new ArrayList<>();
    secrets.add(alice.id().bytes());
    secrets.add(alice.id().toBase58().getBytes());
    secrets.add(HexFormat.of().parseHex(space.id()));
    for (Channel c : space.channels()) {
      secrets.add(HexFormat.of().parseHex(c.id()));
    }
    Set<Integer> sizes = new TreeSet<>();
    assertTrue(fromAlice.size() > 20, "seed " + seed);
    for (SimCluster.Sent s : fromAlice) {
      for (byte[] secret : secrets) {
        assertFalse(contains(s.envelope(), secret), "seed " + seed + ": identifier on the wire");
      }
      for (long epoch = 1; epoch <= 8; epoch++) {
        byte[] e = java.nio.ByteBuffer.allocate(8).putLong(epoch).array();
        assertFalse(contains(s.envelope(), e), "seed " + seed + ": epoch " + epoch + " on the wire");
      }
      sizes.add(s.envelope().length);
    }
    assertTrue(Padding.DEFAULT_BUCKETS.containsAll(sizes), "sizes " + sizes);
  }

  @Test
  void jitter_delaysEachCopyIndependentlyWithinTheBound() {
    List<SimCluster.Sent> fromAlice = new ArrayList<>();
    Duration max = Duration.ofSeconds(30);
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), cluster.tap(fromAlice),
        Jitter.uniform(max));
    List<SimCluster.Node> others = new ArrayList<>();
    Space space = cluster.await(alice.node().createSpace("Team"));
    for (int i = 0; i < 4; i++) {
      SimCluster.Node n = cluster.node("peer" + i);
      cluster.await(n.node().join(cluster.await(space.createInvite())));
      others.add(n);
    }
    cluster.settle();
    fromAlice.clear();
    Duration sentAt = cluster.net.now();
    cluster.await(general(alice.node(), space).send("jittered"));
    cluster.settle();
    List<Duration> times = fromAlice.stream().map(s -> s.at().minus(sentAt)).toList();
    assertEquals(4, times.size(), "seed " + seed);
    for (Duration d : times) {
      assertFalse(d.isNegative() || d.compareTo(max) > 0, "seed " + seed + ": delay " + d);
    }
    assertTrue(new TreeSet<>(times).size() > 1, "seed " + seed + ": all copies left together " + times);
    for (SimCluster.Node n : others) {
      assertEquals(List.of("jittered"), n.events().texts(), "seed " + seed);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

}
