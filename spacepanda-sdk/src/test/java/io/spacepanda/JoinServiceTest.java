package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Joining by invite code: refusals reach the joiner, and a join completes once it is stored. */
class JoinServiceTest {

  private long seed;
  private SimCluster cluster;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void join_spaceUnknownToTheInviter_refusedUnknown() throws Exception {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    InviteCode real = InviteCode.parse(cluster.await(space.createInvite()));
    String forged = InviteCode.of(SpaceId.random(new SecureRandom()), real.inviter(),
        real.secret(), real.expiresAt()).toText();

    CompletableFuture<Space> join = bob.node().join(forged);
    cluster.settle();

    assertTrue(join.isDone(), "the refusal arrived (seed " + seed + ")");
    ExecutionException e = assertThrows(ExecutionException.class, join::get);
    InviteRefusedException refused = assertInstanceOf(InviteRefusedException.class,
        e.getCause(), "seed " + seed);
    assertEquals(InviteRefusedException.Reason.UNKNOWN, refused.reason());
    assertTrue(bob.node().spaces().isEmpty(), "bob joined nothing");
  }

  @Test
  void join_completesOnlyAfterTheAnswerIsStored() {
    Storage bobStore = Storages.inMemory();
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob", bobStore, UnaryOperator.identity());
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    Id spaceId = Id.ofHex(space.id());

    CompletableFuture<Space> join = bob.node().join(code);
    AtomicReference<Object> storedWhenDone = new AtomicReference<>();
    join.whenComplete((s, e) -> {
      try {
        storedWhenDone.set(bobStore.<Optional<SpaceRecord>, RuntimeException>inTransaction(
            t -> t.space(spaceId)));
      } catch (Exception ex) {
        storedWhenDone.set(ex);
      }
    });
    assertFalse(join.isDone(), "joined before the network ran (seed " + seed + ")");

    Space joined = cluster.await(join);
    assertEquals(space.id(), joined.id());
    Object stored = storedWhenDone.get();
    assertInstanceOf(Optional.class, stored, "reading storage on completion: " + stored);
    assertTrue(((Optional<?>) stored).isPresent(),
        "the space was not stored when the join completed (seed " + seed + ")");
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id()), joined.members(), "seed " + seed);
  }
}
