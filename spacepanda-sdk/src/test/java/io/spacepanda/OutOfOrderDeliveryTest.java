package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Copies that arrive far out of order (as after a restart that resends a whole outbox, or under
 * long jitter) are all delivered exactly once: a message whose key would push out the keys of
 * earlier, still missing messages of its sender is held, not opened, and retried as the gap fills.
 */
class OutOfOrderDeliveryTest {

  /**
   * Wraps a receiver's transport: while holding, every inbound envelope is acknowledged at once
   * but kept back, and on release handed to the node in a shuffled order (a network that delivers
   * far out of order).
   */
  static final class Holdback {
    private final List<byte[]> held = new ArrayList<>();
    private volatile boolean holding;
    private volatile TransportListener node;

    UnaryOperator<Transport.Factory> wrap() {
      return factory -> context -> {
        node = context.listener();
        TransportListener front = new TransportListener() {
          @Override
          public CompletableFuture<Void> onEnvelope(PeerId from, byte[] envelope) {
            if (!holding) {
              return node.onEnvelope(from, envelope);
            }
            synchronized (held) {
              held.add(envelope.clone());
            }
            return CompletableFuture.completedFuture(null);
          }

          @Override
          public void onPeerConnected(PeerId peer) {
            node.onPeerConnected(peer);
          }

          @Override
          public void onPeerLost(PeerId peer) {
            node.onPeerLost(peer);
          }
        };
        return factory.create(new TransportContext(context.localPeer(), context.identity(),
            context.listenAddresses(), context.bootstrapPeers(), front));
      };
    }

    void hold() {
      holding = true;
    }

    List<byte[]> take(Random random) {
      holding = false;
      List<byte[]> copy;
      synchronized (held) {
        copy = new ArrayList<>(held);
        held.clear();
      }
      Collections.shuffle(copy, random);
      return copy;
    }

    void deliver(PeerId from, byte[] envelope) {
      node.onEnvelope(from, envelope);
    }

    int releaseShuffled(Random random, PeerId from) {
      holding = false;
      List<byte[]> copy;
      synchronized (held) {
        copy = new ArrayList<>(held);
        held.clear();
      }
      Collections.shuffle(copy, random);
      for (byte[] e : copy) {
        node.onEnvelope(from, e);
      }
      return copy.size();
    }
  }

  @Test
  void burstArrivingShuffled_everyMessageOnce_inOneOrder() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("OutOfOrderDeliveryTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed).withoutSync()) {
      Holdback holdback = new Holdback();
      SimCluster.Node alice = cluster.node("alice");
      SimCluster.Node bob = cluster.node("bob", Storages.inMemory(), holdback.wrap());
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(bob.node().join(cluster.await(space.createInvite())));
      cluster.settle();
      Channel general = space.channel("general").orElseThrow();

      holdback.hold();
      List<String> sent = new ArrayList<>();
      int n = 1500;
      for (int i = 0; i < n; i++) {
        sent.add("m" + i);
        general.send("m" + i).join();
      }
      cluster.settle();
      assertEquals(n, holdback.releaseShuffled(new Random(seed), alice.id()), "copies held back");
      cluster.settle();
      cluster.settle();

      List<String> got = bob.events().texts();
      assertEquals(n, got.size(), "every message exactly once (seed " + seed + ")");
      assertEquals(Set.copyOf(sent), Set.copyOf(got), "seed " + seed);
      Channel bobGeneral = bob.node().space(space.id()).orElseThrow().channel("general")
          .orElseThrow();
      assertEquals(sent, cluster.await(bobGeneral.history(n, null)).stream()
          .map(Message::text).toList(), "history in send order (seed " + seed + ")");
    }
  }

  @Test
  void shuffledDelivery_receiverRestartsHalfway_everyMessageOnce(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("OutOfOrderDeliveryTest restart seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed).withoutSync()) {
      Holdback holdback = new Holdback();
      SimCluster.Node alice = cluster.node("alice");
      SimCluster.Node bob = cluster.node("bob", Storages.sqlite(dir), holdback.wrap());
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(bob.node().join(cluster.await(space.createInvite())));
      cluster.settle();
      Channel general = space.channel("general").orElseThrow();

      holdback.hold();
      List<String> sent = new ArrayList<>();
      int n = 600;
      for (int i = 0; i < n; i++) {
        sent.add("m" + i);
        general.send("m" + i).join();
      }
      cluster.settle();
      List<byte[]> copies = holdback.take(new Random(seed));
      assertEquals(n, copies.size(), "copies held back");
      for (byte[] e : copies.subList(0, n / 2)) {
        holdback.deliver(alice.id(), e);
      }
      cluster.settle();
      bob.node().close();
      Holdback second = new Holdback();
      SimCluster.Node bob2 = cluster.node("bob2", Storages.sqlite(dir), second.wrap());
      cluster.settle();
      for (byte[] e : copies.subList(n / 2, n)) {
        second.deliver(alice.id(), e);
      }
      cluster.settle();
      cluster.settle();

      Channel bobGeneral = bob2.node().space(space.id()).orElseThrow().channel("general")
          .orElseThrow();
      List<String> got = cluster.await(bobGeneral.history(n, null)).stream()
          .map(Message::text).toList();
      assertEquals(n, got.size(), "every message once (seed " + seed + "), dropped "
          + bob2.node().droppedEnvelopes());
      assertEquals(sent, got, "history in send order (seed " + seed + ")");
    }
  }
}
