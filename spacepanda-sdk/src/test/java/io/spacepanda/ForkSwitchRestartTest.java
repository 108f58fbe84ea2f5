package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.SyncEnvelope;
import io.spacepanda.spi.TransactionWork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A member crashes right after it switched to the winning branch of a fork and before it reached
 * the winner's epoch (issue 11): after its restart it still sends again its message of the losing
 * branch (the redo list is stored with the switch, {@code ForkRedo}).
 */
class ForkSwitchRestartTest {

  /** The sender key under which a group's commits are kept for sync (ChannelSync.COMMITS). */
  private static final byte[] COMMITS = {(byte) 0xFF, 'C'};

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp(TestInfo info) {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println(info.getDisplayName() + " seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private <T> T quick(CompletableFuture<T> f) {
    for (int i = 0; i < 600 && !f.isDone(); i++) {
      cluster.run(Duration.ofMillis(100));
    }
    assertTrue(f.isDone(), "not done after a minute (seed " + seed + ")");
    return f.join();
  }

  private static Channel general(SimCluster.Node n, String spaceId) {
    return n.node().space(spaceId).orElseThrow().channel("general").orElseThrow();
  }

  /**
   * Wraps a store so that right after the transaction of a fork switch commits (it replaces the
   * kept commit of the fork's parent epoch with the winner's) the node dies: every later transaction fails, its transport is
   * cut.
   */
  private static Storage crashingAfterSwitch(CrashableStorage disk, Runnable crash,
      AtomicBoolean armed) {
    Storage inner = disk.open();
    return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(),
        new Class<?>[] {Storage.class}, (proxy, m, args) -> {
          try {
            if (!m.getName().equals("inTransaction")) {
              return m.invoke(inner, args);
            }
            @SuppressWarnings("unchecked")
            TransactionWork<Object, Exception> work = (TransactionWork<Object, Exception>) args[0];
            boolean[] switched = new boolean[1];
            TransactionWork<Object, Exception> watched = t -> work.run(watch(t, switched));
            Object result = m.invoke(inner, watched);
            if (switched[0] && armed.compareAndSet(true, false)) {
              crash.run();
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static StorageTransaction watch(StorageTransaction t, boolean[] switched) {
    return (StorageTransaction) Proxy.newProxyInstance(StorageTransaction.class.getClassLoader(),
        new Class<?>[] {StorageTransaction.class}, (proxy, m, args) -> {
          if (m.getName().equals("replaceSyncEnvelope") && args[0] instanceof SyncEnvelope e
              && java.util.Arrays.equals(e.sender().toBytes(), COMMITS)) {
            switched[0] = true;
          }
          try {
            return m.invoke(t, args);
          } catch (InvocationTargetException ex) {
            throw ex.getCause();
          }
        });
  }

  @Test
  void crashBetweenSwitchAndWinnersEpoch_theLosingBranchsMessageIsStillSentAgain() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    CrashableStorage carolDisk = new CrashableStorage();
    AtomicBoolean armed = new AtomicBoolean(false);
    AtomicBoolean crashed = new AtomicBoolean(false);
    PeerId[] carolId = new PeerId[1];
    Storage carolStore = crashingAfterSwitch(carolDisk, () -> {
      crashed.set(true);
      carolDisk.open(); // the running handle is dead from now on
      cluster.net.crash(carolId[0]);
    }, armed);
    SimCluster.Node carol = cluster.node("carol", carolStore, java.util.function.UnaryOperator.identity());
    carolId[0] = carol.id();

    Space space = quick(alice.node().createSpace("Team"));
    quick(bob.node().join(quick(space.createInvite())));
    quick(carol.node().join(quick(space.createInvite())));
    quick(space.setRole(bob.id(), Role.ADMIN));
    cluster.run(Duration.ofSeconds(30));
    String spaceId = space.id();

    // The owner's side commits twice, the admin's side once: the owner's branch wins, and a
    // member of the admin's side reaches its tip only after a second commit.
    cluster.net.partition(Set.of(alice.id()), Set.of(bob.id(), carol.id()));
    quick(general(alice, spaceId).rotateKeys());
    quick(general(alice, spaceId).rotateKeys());
    quick(general(bob, spaceId).rotateKeys());
    cluster.run(Duration.ofSeconds(5));
    quick(general(carol, spaceId).send("carol on the losing branch"));
    cluster.run(Duration.ofSeconds(5));
    assertTrue(bob.events().texts().contains("carol on the losing branch"), "seed " + seed);

    armed.set(true);
    cluster.net.heal();
    for (int i = 0; i < 60 && !crashed.get(); i++) {
      cluster.run(Duration.ofSeconds(5));
    }
    assertTrue(crashed.get(), "carol never switched branches (seed " + seed + ")");
    carol.node().close();
    cluster.run(Duration.ofSeconds(20));
    SimCluster.Node carol2 = cluster.node("carol'", carolDisk.open(),
        java.util.function.UnaryOperator.identity());
    for (int i = 0; i < 15 && !alice.events().texts().contains("carol on the losing branch"); i++) {
      cluster.run(Duration.ofMinutes(1));
    }
    assertTrue(alice.events().texts().contains("carol on the losing branch"),
        "the restarted member did not send its losing branch's message again (seed " + seed
            + "): " + alice.events().log + " / " + carol2.events().log);
  }
}
