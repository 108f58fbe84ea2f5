package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.DeliveryState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SpacePandaListenerTest {

  @Test
  void throwingListener_isSkipped_nodeKeepsWorking() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("SpacePandaListenerTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      List<String> seen = new ArrayList<>();
      SpacePanda bob = SpacePanda.builder().storage(Storages.inMemory())
          .transport(cluster.net.transportFactory()).jitter(Jitter.none())
          .clock(cluster.net.clock()).scheduler(cluster.net.scheduler())
          .random(SimCluster.seeded(seed + 7)).listenerExecutor(Runnable::run)
          .listener(new SpacePandaListener() {
            @Override
            public void onMessage(Channel channel, Message message) {
              seen.add(message.text());
              throw new IllegalStateException("listener bug");
            }
          }).build();
      cluster.await(bob.start());
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(bob.join(cluster.await(space.createInvite())));
      Channel general = space.channel("general").orElseThrow();
      cluster.await(general.send("one"));
      cluster.await(general.send("two"));
      cluster.settle();
      assertEquals(List.of("one", "two"), seen, "seed " + seed);
      Channel bobGeneral = bob.space(space.id()).orElseThrow().channel("general").orElseThrow();
      cluster.await(bobGeneral.send("three"));
      cluster.settle();
      assertEquals(List.of("three"), alice.events().texts(), "seed " + seed);
      bob.close();
    }
  }

  @Test
  void delivery_progressReachesEveryRecipient_andStateBecomesDelivered() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("SpacePandaListenerTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      List<String> progress = new ArrayList<>();
      SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), UnaryOperator.identity());
      SpacePanda tracked = SpacePanda.builder().storage(Storages.inMemory())
          .transport(cluster.net.transportFactory()).jitter(Jitter.none())
          .clock(cluster.net.clock()).scheduler(cluster.net.scheduler())
          .random(SimCluster.seeded(seed + 9)).listenerExecutor(Runnable::run)
          .listener(new SpacePandaListener() {
            @Override
            public void onDeliveryProgress(MessageId message, int acknowledged, int recipients) {
              progress.add(acknowledged + "/" + recipients);
            }
          }).build();
      cluster.await(tracked.start());
      Space space = cluster.await(tracked.createSpace("Team"));
      cluster.await(alice.node().join(cluster.await(space.createInvite())));
      SimCluster.Node carol = cluster.node("carol");
      cluster.await(carol.node().join(cluster.await(space.createInvite())));
      cluster.settle();
      Channel general = space.channel("general").orElseThrow();
      Message sent = cluster.await(general.send("tracked"));
      assertEquals(DeliveryState.QUEUED, sent.deliveryState());
      cluster.settle();
      assertEquals(List.of("1/2", "2/2"), progress, "seed " + seed);
      Message stored = cluster.await(general.history(1, null)).get(0);
      assertEquals(sent.id(), stored.id());
      assertEquals(DeliveryState.DELIVERED, stored.deliveryState());
      assertTrue(alice.events().texts().contains("tracked"));
      tracked.close();
    }
  }

  @Test
  void peerEvents_followTheTransport() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("SpacePandaListenerTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      SimCluster.Node bob = cluster.node("bob");
      cluster.settle();
      assertTrue(alice.events().log.contains("connected " + bob.id()), alice.events().log.toString());
      bob.node().close();
      cluster.settle();
      assertTrue(alice.events().log.contains("lost " + bob.id()), alice.events().log.toString());
    }
  }
}
