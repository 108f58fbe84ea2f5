package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.spi.Transport;
import io.spacepanda.testkit.RecordingListener;
import io.spacepanda.testkit.TestPeers;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An outsider cannot fill a node's held envelopes: envelopes of groups the node does not know
 * are kept only up to a quota per connection peer (64) and in total (256); the rest are not
 * acknowledged, so an honest sender would try again, and members' traffic goes on.
 */
class HeldEnvelopeQuotaTest {

  @Test
  void outsiderFlood_keptWithinQuota_restRefused_membersUnaffected() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("HeldEnvelopeQuotaTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      SimCluster.Node bob = cluster.node("bob");
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(bob.node().join(cluster.await(space.createInvite())));
      cluster.settle();
      long heldBefore = bob.node().metrics().heldEnvelopes();

      Transport mallory = cluster.net.transportFactory()
          .create(TestPeers.context(TestPeers.peer(77), new RecordingListener()));
      mallory.start().join();
      Random rnd = new Random(seed);
      SecureRandom sealing = new SecureRandom();
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        byte[] key = new byte[32];
        rnd.nextBytes(key);
        try {
          sent.add(mallory.send(bob.id(), GroupEnvelope.seal(GroupEnvelopeKeys.derive(key),
              ("forged " + i).getBytes(), Padding.defaults(), sealing)));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
      cluster.settle();
      long accepted = sent.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally())
          .count();
      long refused = sent.stream().filter(CompletableFuture::isCompletedExceptionally).count();

      assertEquals(64, accepted, "kept up to the per-peer quota (seed " + seed + ")");
      assertEquals(300 - 64, refused, "the rest was not acknowledged (seed " + seed + ")");
      assertEquals(heldBefore + 64, bob.node().metrics().heldEnvelopes());
      cluster.await(space.channel("general").orElseThrow().send("still here"));
      cluster.settle();
      assertTrue(bob.events().texts().contains("still here"), "seed " + seed);
      mallory.close();
    }
  }
}
