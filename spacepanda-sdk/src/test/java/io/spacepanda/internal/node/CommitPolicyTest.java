package io.spacepanda.internal.node;

import io.spacepanda.Storages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Storage;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Only the owner commits: a plain member's key rotation becomes a proposal that the owner
 * commits, and both end in the same next epoch.
 */
class CommitPolicyTest {

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());
  private final SimulatedNetwork net = new SimulatedNetwork(seed);
  private final List<Node> nodes = new ArrayList<>();
  private int counter;

  @AfterEach
  void tearDown() {
    nodes.forEach(Node::close);
  }

  @Test
  void ownerOnly_theOwnerCommits_othersDoNot() {
    SecureRandom random = new SecureRandom();
    NodeContext ctx = TestContexts.create(Storages.inMemory(), net.clock(), net.scheduler(),
        new SpacePandaListener() {});
    PeerId other = IdentityKey.generate(random).peerId();
    GroupChannel gc = new GroupChannel(Id.of(new byte[16]), Id.of(new byte[16]), "general",
        GroupChannel.KIND_TEXT, ctx.self, ctx.now(), ctx.newGroup(Id.of(new byte[16])), 0, 0);
    SpaceState meta = new SpaceState(SpaceId.of(new byte[16]), ctx.self);
    CommitPolicy policy = CommitPolicy.ownerOnly();

    assertTrue(policy.mayCommit(meta, gc, ctx.self));
    assertFalse(policy.mayCommit(meta, gc, other));
    assertEquals(ctx.self, policy.committer(meta, gc));
  }

  @Test
  void roles_theOwnerOfAGroupCommitsIt_andOnlyMembersOfTheGroupDo() {
    SecureRandom random = new SecureRandom();
    NodeContext ctx = TestContexts.create(Storages.inMemory(), net.clock(), net.scheduler(),
        new SpacePandaListener() {});
    PeerId other = IdentityKey.generate(random).peerId();
    GroupChannel gc = new GroupChannel(Id.of(new byte[16]), Id.of(new byte[16]), "general",
        GroupChannel.KIND_TEXT, ctx.self, ctx.now(), ctx.newGroup(Id.of(new byte[16])), 0, 0);
    SpaceState meta = new SpaceState(SpaceId.of(new byte[16]), ctx.self);
    CommitPolicy policy = CommitPolicy.roles();

    assertEquals(List.of(ctx.self), policy.committers(meta, gc));
    assertFalse(policy.mayCommit(meta, gc, other), "not a member of the group");
  }

  @Test
  void fallbackRank_dependsOnTheEpoch_andIsTheSameForEveryone() {
    SecureRandom random = new SecureRandom();
    PeerId a = IdentityKey.generate(random).peerId();
    PeerId b = IdentityKey.generate(random).peerId();
    byte[] group = new byte[16];
    int firstA = 0;
    for (long epoch = 0; epoch < 64; epoch++) {
      byte[] ra = CommitPolicy.rank(epoch, group, a);
      assertTrue(java.util.Arrays.equals(ra, CommitPolicy.rank(epoch, group, a)));
      if (java.util.Arrays.compareUnsigned(ra, CommitPolicy.rank(epoch, group, b)) < 0) {
        firstA++;
      }
    }
    assertTrue(firstA > 0 && firstA < 64, "the order never changed over 64 epochs: " + firstA);
  }

  @Test
  void plainMembersRotateKeys_isAProposalTheOwnerCommits() {
    Received bobGot = new Received();
    Node alice = start(new Received());
    Node bob = start(bobGot);
    Space space = await(alice.createSpace("Team"));
    await(bob.join(await(space.createInvite())));
    net.runFor(Duration.ofMinutes(1));
    Id spaceId = Id.ofHex(space.id());
    Channel aliceGeneral = space.channel("general").orElseThrow();
    Id channelId = Id.ofHex(aliceGeneral.id());
    Channel bobGeneral = bob.space(space.id()).orElseThrow().channel("general").orElseThrow();
    long before = alice.channelSnapshotOrNull(spaceId, channelId).epoch();
    assertEquals(before, bob.channelSnapshotOrNull(spaceId, channelId).epoch(), "seed " + seed);

    CompletableFuture<Void> rotated = bobGeneral.rotateKeys();
    assertEquals(before, bob.channelSnapshotOrNull(spaceId, channelId).epoch(),
        "bob, not the owner, moved the epoch himself (seed " + seed + ")");
    await(rotated);

    assertEquals(before + 1, alice.channelSnapshotOrNull(spaceId, channelId).epoch(),
        "the owner committed bob's proposal (seed " + seed + ")");
    assertEquals(before + 1, bob.channelSnapshotOrNull(spaceId, channelId).epoch(),
        "bob merged the owner's commit (seed " + seed + ")");
    Set<PeerId> both = Set.of(alice.peerId(), bob.peerId());
    assertEquals(both, aliceGeneral.members());
    assertEquals(both, bobGeneral.members());
    await(aliceGeneral.send("in the new epoch"));
    net.runFor(Duration.ofMinutes(1));
    assertEquals(List.of("in the new epoch"), bobGot.texts(), "seed " + seed);
  }

  @Test
  void aCommitOfAPlainMember_isRefusedByEveryMember_andCreatesNoFork() throws Exception {
    Received carolGot = new Received();
    Node alice = start(new Received());
    Node bob = start(new Received());
    Node carol = start(carolGot);
    Space space = await(alice.createSpace("Team"));
    await(bob.join(await(space.createInvite())));
    await(carol.join(await(space.createInvite())));
    net.runFor(Duration.ofMinutes(1));
    Id spaceId = Id.ofHex(space.id());
    Id channelId = Id.ofHex(space.channel("general").orElseThrow().id());
    long before = alice.channelSnapshotOrNull(spaceId, channelId).epoch();

    // Bob, a plain member, commits the channel anyway (a modified client would).
    java.lang.reflect.Field f = Node.class.getDeclaredField("runtime");
    f.setAccessible(true);
    SpaceActor bobActor = ((NodeRuntime) f.get(bob)).ctx().spaces.get(spaceId);
    CompletableFuture<Void> forged = bobActor.step(s -> {
      bobActor.commits.commitIgnoringPolicy(s, bobActor.channels.get(channelId),
          io.spacepanda.internal.mls.group.CommitOptions.builder().forcePath(true).build(), null,
          null, null);
      return null;
    });
    await(forged);
    assertEquals(before + 1, bob.channelSnapshotOrNull(spaceId, channelId).epoch());
    net.runFor(Duration.ofMinutes(2));
    assertEquals(before, alice.channelSnapshotOrNull(spaceId, channelId).epoch(),
        "the owner applied a plain member's commit (seed " + seed + ")");
    assertEquals(before, carol.channelSnapshotOrNull(spaceId, channelId).epoch(),
        "carol applied a plain member's commit (seed " + seed + ")");

    // The others go on in the real epoch; the owner's next commit is the one everyone follows.
    await(space.channel("general").orElseThrow().rotateKeys());
    net.runFor(Duration.ofMinutes(1));
    assertEquals(before + 1, carol.channelSnapshotOrNull(spaceId, channelId).epoch());
    await(space.channel("general").orElseThrow().send("after the forged commit"));
    net.runFor(Duration.ofMinutes(1));
    assertEquals(List.of("after the forged commit"), carolGot.texts(), "seed " + seed);
  }

  private Node start(SpacePandaListener listener) {
    NodeConfig config = new NodeConfig(null, Storages.inMemory(), net.transportFactory(),
        List.of(), List.of(), Jitter.none(), null, 2, net.clock(), net.scheduler(),
        seeded(seed * 31 + counter++), Runnable::run, null, java.time.Duration.ofDays(7), listener,
        null, io.spacepanda.NodeEventListener.none(), NodeConfig.DEFAULT_DELIVERY_HORIZON,
        java.time.Duration.ZERO);
    Node n = new Node(config);
    nodes.add(n);
    await(n.start());
    return n;
  }

  /** Runs the network for a virtual minute, then expects the future done. */
  private <T> T await(CompletableFuture<T> f) {
    net.runFor(Duration.ofMinutes(1));
    try {
      return f.get(0, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not complete after a virtual minute (seed " + seed + "): " + e, e);
    }
  }

  private static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Texts of received messages. */
  private static final class Received implements SpacePandaListener {
    private final List<String> texts = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onMessage(Channel channel, Message message) {
      texts.add(message.text());
    }

    List<String> texts() {
      synchronized (texts) {
        return List.copyOf(texts);
      }
    }
  }
}
