package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class SpacePandaEndToEndTest {

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

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void twoNodes_exchangeMessagesBothWays() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    Space joined = cluster.await(bob.node().join(code));
    assertEquals("Team", joined.name());
    assertEquals(java.util.Set.of(alice.id(), bob.id()), space.members(), "seed " + seed);

    Channel ag = general(alice, space);
    Channel bg = general(bob, space);
    cluster.await(ag.send("hi bob"));
    cluster.settle();
    cluster.await(bg.send("hi alice"));
    cluster.settle();

    List<String> expected = List.of("hi bob", "hi alice");
    assertEquals(expected, texts(cluster.await(ag.history(10, null))), "seed " + seed);
    assertEquals(expected, texts(cluster.await(bg.history(10, null))), "seed " + seed);
    assertEquals(List.of("hi alice"), alice.events().texts());
    assertEquals(List.of("hi bob"), bob.events().texts());
  }

  @Test
  void threeNodes_allReadEveryMessageInTheSameOrder() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    assertEquals(3, general(carol, space).members().size(), "seed " + seed);
    assertEquals(3, general(bob, space).members().size(), "seed " + seed);

    cluster.await(general(alice, space).send("a1"));
    cluster.await(general(bob, space).send("b1"));
    cluster.await(general(carol, space).send("c1"));
    cluster.settle();

    List<String> a = texts(cluster.await(general(alice, space).history(10, null)));
    List<String> b = texts(cluster.await(general(bob, space).history(10, null)));
    List<String> c = texts(cluster.await(general(carol, space).history(10, null)));
    assertEquals(3, a.size(), "seed " + seed + " " + a);
    assertEquals(a, b, "seed " + seed);
    assertEquals(a, c, "seed " + seed);
    assertTrue(a.containsAll(List.of("a1", "b1", "c1")));
  }

  private Space threeMembers(SimCluster.Node alice, SimCluster.Node bob, SimCluster.Node carol) {
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    return space;
  }

  @Test
  void createChannel_everyMemberJoinsAndReads() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    Space bobSpace = bob.node().space(space.id()).orElseThrow();
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    cluster.settle();
    assertEquals(Role.ADMIN, bobSpace.role(bob.id()).orElseThrow(), "seed " + seed);
    assertEquals(Role.ADMIN, carol.node().space(space.id()).orElseThrow().role(bob.id()).orElseThrow());
    Channel random = cluster.await(bobSpace.createChannel("random"));
    cluster.settle();
    Channel aliceRandom = alice.node().space(space.id()).orElseThrow().channel("random").orElseThrow();
    Channel carolRandom = carol.node().space(space.id()).orElseThrow().channel("random").orElseThrow();
    assertEquals(bob.id(), aliceRandom.owner());
    assertEquals(3, random.members().size(), "seed " + seed);

    cluster.await(carolRandom.send("carol in random"));
    cluster.await(aliceRandom.send("alice in random"));
    cluster.settle();
    assertEquals(List.of("carol in random", "alice in random"),
        texts(cluster.await(random.history(10, null))), "seed " + seed);
    assertTrue(alice.events().log.contains("channel random"));
  }

  @Test
  void renameChannel_everyMemberSeesTheNewName() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(general(alice, space).rename("lobby"));
    cluster.settle();
    Space bobSpace = bob.node().space(space.id()).orElseThrow();
    assertEquals(List.of("lobby"), bobSpace.channels().stream().map(Channel::name).toList(),
        "seed " + seed);
    assertTrue(bob.events().log.contains("renamed general -> lobby"), bob.events().log.toString());
    java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.CompletionException.class,
        () -> bobSpace.channel("lobby").orElseThrow().rename("mine").join());
    org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void createChannel_byPlainMember_refused() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    Space bobSpace = bob.node().space(space.id()).orElseThrow();
    assertEquals(Role.MEMBER, bobSpace.role(bob.id()).orElseThrow());
    assertEquals(Role.OWNER, bobSpace.role(alice.id()).orElseThrow());
    java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.CompletionException.class, () -> bobSpace.createChannel("mine").join());
    org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, e.getCause());
    cluster.settle();
    assertEquals(List.of("general"), space.channels().stream().map(Channel::name).toList());
  }

  @Test
  void removedMember_readsNothingNew() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    cluster.await(general(alice, space).send("before"));
    cluster.settle();
    Channel carolGeneral = general(carol, space);
    cluster.await(space.remove(carol.id()));
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), space.members(), "seed " + seed);
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(bob, space).members());
    cluster.await(general(alice, space).send("after"));
    cluster.await(general(bob, space).send("after too"));
    cluster.settle();

    assertEquals(List.of("before"), carol.events().texts(), "seed " + seed);
    assertTrue(carol.events().log.contains("removed " + carol.id()), carol.events().log.toString());
    assertTrue(carol.node().space(space.id()).isEmpty());
    assertEquals(List.of("before", "after", "after too"),
        texts(cluster.await(general(bob, space).history(10, null))));
    assertTrue(carolGeneral.history(10, null).join().stream().noneMatch(m -> m.text().startsWith("after")));
  }

  @Test
  void ownerCommitsProposalsFromOthers() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    cluster.await(general(bob, space).rotateKeys());
    cluster.settle();
    // A plain member may only propose its own removal (and its key updates).
    cluster.await(general(carol, space).leave());
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(alice, space).members(),
        "seed " + seed);
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(bob, space).members());
    cluster.await(general(bob, space).send("without carol"));
    cluster.settle();
    assertEquals(List.of("without carol"), alice.events().texts());
    assertTrue(carol.events().texts().isEmpty());
  }

  @Test
  void proposalCrossingAnOwnerCommit_isProposedAgainAndCommitted() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    general(carol, space).leave().join();
    general(alice, space).rotateKeys().join();
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(alice, space).members(),
        "seed " + seed);
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(bob, space).members());
  }

  @Test
  void leave_memberLeavesChannelAndOthersSeeIt() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    cluster.await(general(carol, space).leave());
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(bob, space).members(),
        "seed " + seed);
    assertTrue(bob.events().log.contains("left general " + carol.id()), bob.events().log.toString());
  }

  @Test
  void add_bringsALeftMemberBackIntoTheChannel() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(general(bob, space).leave());
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id()), general(alice, space).members(), "seed " + seed);
    assertTrue(bob.node().space(space.id()).orElseThrow().channel("general").isEmpty());
    cluster.await(general(alice, space).add(bob.id()));
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(alice, space).members(),
        "seed " + seed);
    cluster.await(general(alice, space).send("welcome back"));
    cluster.settle();
    assertEquals(List.of("welcome back"), bob.events().texts(), "seed " + seed);
  }

  @Test
  void spaceLeave_memberGoneFromSpaceAndChannels() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = threeMembers(alice, bob, carol);
    cluster.await(carol.node().space(space.id()).orElseThrow().leave());
    cluster.settle();
    assertEquals(java.util.Set.of(alice.id(), bob.id()), space.members(), "seed " + seed);
    assertEquals(java.util.Set.of(alice.id(), bob.id()), general(bob, space).members());
    assertTrue(space.role(carol.id()).isEmpty(), space.roles().toString());
    assertTrue(carol.node().space(space.id()).isEmpty());
  }

  @Test
  void join_expiredInvite_refused() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    cluster.run(java.time.Duration.ofDays(8));
    java.util.concurrent.CompletableFuture<Space> f = bob.node().join(code);
    cluster.settle();
    InviteRefusedException e = refusal(f);
    assertEquals(InviteRefusedException.Reason.EXPIRED, e.reason());
    assertEquals(java.util.Set.of(alice.id()), space.members());
  }

  @Test
  void join_reusedInvite_refused() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    cluster.await(bob.node().join(code));
    java.util.concurrent.CompletableFuture<Space> f = carol.node().join(code);
    cluster.settle();
    assertEquals(InviteRefusedException.Reason.ALREADY_USED, refusal(f).reason());
    assertEquals(java.util.Set.of(alice.id(), bob.id()), space.members());
  }

  @Test
  void join_malformedCode_refused() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    String typo = code.substring(0, code.length() - 3)
        + (code.charAt(code.length() - 3) == 'a' ? 'b' : 'a') + code.substring(code.length() - 2);
    org.junit.jupiter.api.Assertions.assertThrows(InvalidInviteException.class,
        () -> bob.node().join("sp1-not-a-code"));
    org.junit.jupiter.api.Assertions.assertThrows(InvalidInviteException.class,
        () -> bob.node().join(typo));
    org.junit.jupiter.api.Assertions.assertThrows(InvalidInviteException.class,
        () -> bob.node().join("hello"));
  }

  private InviteRefusedException refusal(java.util.concurrent.CompletableFuture<Space> f) {
    cluster.settle();
    java.util.concurrent.CompletionException ce = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.CompletionException.class, f::join, "seed " + seed);
    return org.junit.jupiter.api.Assertions.assertInstanceOf(InviteRefusedException.class,
        ce.getCause());
  }
}
