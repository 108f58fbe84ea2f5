package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A join to an offline inviter completes when the inviter is back, survives a restart of the
 * joiner, and fails with {@link JoinTimeoutException} after its deadline; progress is reported.
 */
class DurableJoinTest {

  /** Records join progress. */
  static final class Progress implements SpacePandaListener {
    final List<String> stages = Collections.synchronizedList(new ArrayList<>());
    final List<String> joined = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onJoinProgress(String spaceId, JoinStage stage) {
      stages.add(stage.name());
    }

    @Override
    public void onSpaceJoined(Space space) {
      joined.add(space.id());
    }
  }

  private static SpacePanda node(SimCluster cluster, long seed, Progress p,
      io.spacepanda.spi.Storage storage,
      Duration joinTimeout) {
    SpacePanda.Builder b = SpacePanda.builder().storage(storage)
        .transport(cluster.net.transportFactory()).jitter(Jitter.none())
        .clock(cluster.net.clock()).scheduler(cluster.net.scheduler())
        .random(SimCluster.seeded(seed)).listenerExecutor(Runnable::run).listener(p);
    if (joinTimeout != null) {
      b.joinTimeout(joinTimeout);
    }
    SpacePanda n = b.build();
    cluster.await(n.start());
    return n;
  }

  @Test
  void inviterOffline_joinWaits_thenCompletesWhenItIsBack() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("DurableJoinTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      Space space = cluster.await(alice.node().createSpace("Team"));
      String code = cluster.await(space.createInvite());
      Progress p = new Progress();
      SpacePanda bob = node(cluster, seed + 1, p, Storages.inMemory(), null);
      cluster.net.partition(Set.of(alice.id()), Set.of(bob.peerId()));

      CompletableFuture<Space> joining = bob.join(code);
      CompletableFuture<Space> again = bob.join(code);
      cluster.run(Duration.ofMinutes(10));
      assertFalse(joining.isDone(), "no answer while the inviter is away (seed " + seed + ")");
      assertEquals(List.of("REQUESTED"), p.stages);

      cluster.net.heal();
      cluster.run(Duration.ofMinutes(10));
      assertTrue(joining.isDone() && !joining.isCompletedExceptionally(), "seed " + seed);
      assertEquals(space.id(), joining.join().id());
      assertEquals(space.id(), again.join().id(), "a second join of the same space shares it");
      assertEquals("JOINED", p.stages.get(p.stages.size() - 1), p.stages.toString());
      bob.close();
    }
  }

  @Test
  void joinerRestarts_whileWaiting_joinCompletesAfterRestart(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("DurableJoinTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      Space space = cluster.await(alice.node().createSpace("Team"));
      String code = cluster.await(space.createInvite());
      Progress first = new Progress();
      SpacePanda bob = node(cluster, seed + 1, first, Storages.sqlite(dir), null);
      PeerId bobId = bob.peerId();
      cluster.net.partition(Set.of(alice.id()), Set.of(bobId));
      CompletableFuture<Space> joining = bob.join(code);
      cluster.run(Duration.ofMinutes(1));
      assertFalse(joining.isDone());
      bob.close();

      cluster.net.heal();
      Progress second = new Progress();
      SpacePanda bob2 = node(cluster, seed + 2, second, Storages.sqlite(dir), null);
      assertEquals(bobId, bob2.peerId());
      cluster.run(Duration.ofMinutes(10));
      assertEquals(List.of(space.id()), second.joined, "seed " + seed);
      assertTrue(second.stages.contains("JOINED"), second.stages.toString());
      assertTrue(bob2.space(space.id()).isPresent());
      assertEquals(Set.of(alice.id(), bobId), space.members());
      bob2.close();
    }
  }

  @Test
  void inviterNeverBack_joinFailsAfterItsTimeout() throws Exception {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("DurableJoinTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      Space space = cluster.await(alice.node().createSpace("Team"));
      String code = cluster.await(space.createInvite());
      Progress p = new Progress();
      SpacePanda bob = node(cluster, seed + 1, p, Storages.inMemory(), Duration.ofMinutes(5));
      cluster.net.partition(Set.of(alice.id()), Set.of(bob.peerId()));

      CompletableFuture<Space> joining = bob.join(code);
      cluster.run(Duration.ofMinutes(6));
      assertTrue(joining.isCompletedExceptionally(), "seed " + seed);
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, joining::get);
      assertInstanceOf(JoinTimeoutException.class, e.getCause());
      assertEquals(List.of("REQUESTED", "TIMED_OUT"), p.stages);

      cluster.net.heal();
      cluster.run(Duration.ofMinutes(10));
      assertTrue(bob.space(space.id()).isEmpty(), "the withdrawn request was not delivered");
      assertEquals(Set.of(alice.id()), space.members());
      bob.close();
    }
  }
}
