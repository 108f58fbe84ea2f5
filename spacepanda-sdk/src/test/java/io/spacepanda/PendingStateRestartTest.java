package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.NodeRecord;
import io.spacepanda.spi.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery state that used to live only in memory survives a restart (SQLite, schema step 9): a
 * channel join request still without a Welcome is sent again after its sender restarted. Rerun a
 * seed with {@code -Dspacepanda.seed=S}.
 */
class PendingStateRestartTest {

  @TempDir
  Path dir;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println("PendingStateRestartTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Space space(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow();
  }

  /**
   * Carol's join request to #design is lost (acknowledged without being sent, so nothing retries
   * it), then carol restarts: the stored pending request is sent again at a sync round while
   * alice, the channel's owner, is connected, and carol gets in. Before, the pending request was
   * kept in memory only and carol was never added.
   */
  @Test
  void lostChannelJoinRequest_isSentAgainAfterTheRequesterRestarted() throws Exception {
    String why = "seed " + seed;
    AtomicReference<PeerId> aliceId = new AtomicReference<>();
    AtomicBoolean lose = new AtomicBoolean();
    AtomicInteger lost = new AtomicInteger();
    SimCluster.Node alice = cluster.node("alice");
    aliceId.set(alice.id());
    Path carolDir = dir.resolve("carol");
    SimCluster.Node carol = cluster.node("carol", Storages.sqlite(carolDir),
        SimCluster.interceptSends((tr, recipient, envelope) -> {
          if (recipient.equals(aliceId.get()) && lose.get()) {
            lost.incrementAndGet();
            return CompletableFuture.completedFuture(null);
          }
          return tr.send(recipient, envelope);
        }));
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    Channel design = cluster.await(team.createChannel("design"));
    if (design.members().contains(carol.id())) {
      cluster.await(design.remove(carol.id()));
    }
    lose.set(true);
    design.add(carol.id());
    cluster.run(Duration.ofSeconds(5));
    carol.node().close();
    lose.set(false);
    assertTrue(lost.get() >= 1, "carol's join request was lost; " + why);
    try (Storage s = Storages.sqlite(carolDir)) {
      List<NodeRecord> pending = s.inTransaction(
          t -> t.nodeRecords(NodeRecord.KIND_CHANNEL_REQUEST));
      assertTrue(pending.size() == 1, "the pending request is stored: " + pending + "; " + why);
    }

    SimCluster.Node carol2 = cluster.node("carol", carolDir);
    assertTrue(space(carol2, team).channel("design").isEmpty(), "carol is not in yet; " + why);
    cluster.run(Duration.ofMinutes(3));
    assertTrue(space(carol2, team).channel("design").isPresent(), "carol never added; " + why);
    assertTrue(design.members().contains(carol.id()), why);
  }
  /**
   * Alice invites carol, who is unreachable, to #design and crashes before the invite's first
   * attempt ends (the attempt is made to hang). After her restart the stored copy fails its first attempt, and alice still knows
   * it is a direct envelope a mailbox may keep (the list is stored now): bob, the only other
   * member, is handed it for carol. Before, that list was in memory only and nothing was
   * deposited. Sync is off, so alice sends nothing else to carol.
   */
  @Test
  void depositableInvite_queuedBeforeACrash_isStillHandedToAHolderAfterTheRestart()
      throws Exception {
    cluster.close();
    cluster = new SimCluster(seed).withoutSync();
    String why = "seed " + seed;
    Path aliceDir = dir.resolve("alice");
    AtomicReference<PeerId> carolId = new AtomicReference<>();
    AtomicBoolean stall = new AtomicBoolean();
    // while stall is set, alice's sends to carol never complete: she crashes mid-attempt
    SimCluster.Node alice = cluster.node("alice", Storages.sqlite(aliceDir),
        SimCluster.interceptSends((tr, recipient, envelope) ->
            stall.get() && recipient.equals(carolId.get()) ? new CompletableFuture<>()
                : tr.send(recipient, envelope)));
    Storage bobStore = Storages.inMemory();
    SimCluster.Node bob = cluster.node("bob", bobStore, java.util.function.UnaryOperator.identity());
    SimCluster.Node carol = cluster.node("carol");
    carolId.set(carol.id());
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    Channel design = cluster.await(team.createChannel("design"));
    if (design.members().contains(carol.id())) {
      cluster.await(design.remove(carol.id()));
    }
    cluster.settle();
    io.spacepanda.spi.Id forCarol = io.spacepanda.spi.Id.of(carol.id().bytes());
    assertTrue(bobStore.inTransaction(t -> t.mailboxCount(forCarol)) == 0, why);

    cluster.net.partition(java.util.Set.of(carol.id()), java.util.Set.of(alice.id(), bob.id()));
    stall.set(true);
    design.add(carol.id());
    cluster.run(Duration.ofSeconds(1)); // queued and sent; its attempt never ends
    alice.node().close();

    SimCluster.Node alice2 = cluster.node("alice", aliceDir);
    // bob talks to alice, so that the two are connected when the invite's attempt fails (bob's
    // own copy to carol is deposited with alice, not with bob)
    space(bob, team).channel("general").orElseThrow().send("bob: hi");
    cluster.settle();
    assertTrue(bobStore.inTransaction(t -> t.mailboxCount(forCarol)) >= 1,
        "bob keeps alice's invite for carol; " + why);
    alice2.node().close();
  }
}
