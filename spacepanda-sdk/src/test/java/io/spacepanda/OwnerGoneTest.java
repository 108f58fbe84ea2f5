package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A space keeps working when its owner is gone (issue 11): admins invite and commit, the next
 * committer in line commits members' proposals after the committer timeout, the owner hands the
 * space on or leaves, and a space without owner or admin says so.
 */
class OwnerGoneTest {

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

  private Space spaceOf(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow();
  }

  private Channel general(SimCluster.Node n, Space s) {
    return spaceOf(n, s).channel("general").orElseThrow();
  }

  private Space members(SimCluster.Node owner, SimCluster.Node... others) {
    Space space = cluster.await(owner.node().createSpace("Team"));
    for (SimCluster.Node n : others) {
      cluster.await(n.node().join(cluster.await(space.createInvite())));
    }
    cluster.settle();
    return space;
  }

  private Throwable failure(CompletableFuture<?> f) {
    cluster.settle();
    try {
      f.get(0, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure (seed " + seed + ")");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("not complete (seed " + seed + ")", e);
    }
  }

  private static Set<PeerId> ids(SimCluster.Node... ns) {
    return java.util.Arrays.stream(ns).map(SimCluster.Node::id)
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void ownerUnreachable_anAdminInvitesANewcomer_andEveryoneChats() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = members(alice, bob, carol);
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    cluster.settle();

    cluster.net.partition(Set.of(alice.id()), ids(bob, carol, dave));
    String code = cluster.await(spaceOf(bob, space).createInvite());
    Space daveSpace = cluster.await(dave.node().join(code));
    cluster.settle();
    assertEquals(ids(alice, bob, carol, dave), spaceOf(carol, space).members(), "seed " + seed);
    Channel daveGeneral = daveSpace.channel("general").orElseThrow();
    cluster.await(daveGeneral.send("hi from dave"));
    cluster.await(general(carol, space).send("hi dave"));
    cluster.settle();
    assertTrue(carol.events().texts().contains("hi from dave"), "seed " + seed);
    assertTrue(bob.events().texts().contains("hi from dave"), "seed " + seed);
    assertTrue(dave.events().texts().contains("hi dave"), "seed " + seed);

    // The owner comes back, follows the newer epochs and reads what it missed.
    cluster.net.heal();
    cluster.run(Duration.ofMinutes(3));
    assertEquals(ids(alice, bob, carol, dave), space.members(), "seed " + seed);
    assertTrue(alice.events().texts().containsAll(List.of("hi from dave", "hi dave")),
        "seed " + seed + ": " + alice.events().texts());
    cluster.await(general(alice, space).send("welcome dave"));
    cluster.settle();
    assertTrue(dave.events().texts().contains("welcome dave"), "seed " + seed);
  }

  @Test
  void ownerUnreachable_aMembersLeaveIsCommittedByTheNextCommitter_withinAMinute() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = members(alice, bob, carol, dave);
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    cluster.settle();

    cluster.net.partition(Set.of(alice.id()), ids(bob, carol, dave));
    spaceOf(carol, space).leave();
    cluster.run(Duration.ofSeconds(60));
    assertEquals(ids(alice, bob, dave), spaceOf(dave, space).members(), "seed " + seed);
    assertEquals(ids(alice, bob, dave), general(dave, space).members(), "seed " + seed);
    assertEquals(spaceOf(bob, space).members(), spaceOf(dave, space).members());

    // Chat goes on in the new epoch.
    cluster.await(general(dave, space).send("still here"));
    cluster.settle();
    assertTrue(bob.events().texts().contains("still here"), "seed " + seed);

    cluster.net.heal();
    cluster.run(Duration.ofMinutes(3));
    assertEquals(ids(alice, bob, dave), space.members(), "seed " + seed);
    assertTrue(alice.events().texts().contains("still here"), "seed " + seed);
  }

  @Test
  void plainMembers_mayNotManage_andGetTypedErrors() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = members(alice, bob, carol);
    Space carolSpace = spaceOf(carol, space);

    Throwable invite = failure(carolSpace.createInvite());
    assertInstanceOf(RoleRequiredException.class, invite);
    assertEquals(Role.MEMBER, ((RoleRequiredException) invite).role().orElseThrow());
    assertInstanceOf(RoleRequiredException.class, failure(carolSpace.createChannel("x")));
    assertInstanceOf(RoleRequiredException.class, failure(carolSpace.remove(bob.id())));
    assertInstanceOf(RoleRequiredException.class,
        failure(carolSpace.setRole(carol.id(), Role.ADMIN)));
    assertInstanceOf(RoleRequiredException.class, failure(carolSpace.transferOwnership(bob.id())));

    // An admin may remove a plain member, not the owner.
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    cluster.settle();
    Space bobSpace = spaceOf(bob, space);
    assertInstanceOf(RoleRequiredException.class, failure(bobSpace.remove(alice.id())));
    cluster.await(bobSpace.remove(carol.id()));
    cluster.settle();
    assertEquals(ids(alice, bob), space.members(), "seed " + seed);
    assertEquals(ids(alice, bob), general(alice, space).members(), "seed " + seed);
  }

  @Test
  void ownerTransfersThenLeaves_theNewOwnerRuns_theSpace_andTheLastManagerLeavingIsReported() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = members(alice, bob, carol, dave);

    cluster.await(space.transferOwnership(bob.id()));
    cluster.settle();
    Space carolSpace = spaceOf(carol, space);
    assertEquals(bob.id(), carolSpace.owner(), "seed " + seed);
    assertEquals(Role.ADMIN, carolSpace.role(alice.id()).orElseThrow());
    assertEquals(SpaceGovernance.OWNED, carolSpace.governance());

    cluster.await(space.leave());
    cluster.run(Duration.ofMinutes(2));
    assertEquals(ids(bob, carol, dave), carolSpace.members(), "seed " + seed);
    assertEquals(ids(bob, carol, dave), general(carol, space).members(), "seed " + seed);
    assertFalse(alice.node().space(space.id()).isPresent(), "seed " + seed);

    // The new owner invites, then leaves without an admin left: the space says so.
    SimCluster.Node erin = cluster.node("erin");
    cluster.await(erin.node().join(cluster.await(spaceOf(bob, space).createInvite())));
    cluster.settle();
    cluster.await(spaceOf(bob, space).leave());
    cluster.run(Duration.ofMinutes(2));
    assertEquals(SpaceGovernance.UNMANAGED, carolSpace.governance(), "seed " + seed);
    assertTrue(carol.events().log.contains("governance UNMANAGED"), "seed " + seed);
    assertEquals(ids(carol, dave, erin), carolSpace.members(), "seed " + seed);
    assertInstanceOf(RoleRequiredException.class, failure(carolSpace.createInvite()));

    // Chat and leaving still work: the remaining members commit in turn.
    cluster.await(general(carol, space).send("nobody in charge"));
    cluster.settle();
    assertTrue(erin.events().texts().contains("nobody in charge"), "seed " + seed);
    cluster.await(spaceOf(dave, space).leave());
    cluster.run(Duration.ofMinutes(2));
    assertEquals(ids(carol, erin), carolSpace.members(), "seed " + seed);
    assertEquals(ids(carol, erin), spaceOf(erin, space).members(), "seed " + seed);
  }
}
