package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.Storages;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.tree.TreeHealth;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Id;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tree health on the simulated network ({@link PathRefresh}): members' path refreshes fill the
 * ratchet trees of a 30-member space, messages still flow, and a path refresh from outside the
 * epoch's refreshers, or a refresher's commit carrying proposals, is refused by every member.
 */
class PathRefreshTest {

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());
  private final SimulatedNetwork net = new SimulatedNetwork(seed);
  private final List<Node> nodes = new ArrayList<>();
  private final List<Received> received = new ArrayList<>();
  private int counter;

  @AfterEach
  void tearDown() {
    nodes.forEach(Node::close);
  }

  @Test
  void thirtyMembers_refreshTheirPaths_theTreesFillIn_andMessagesFlow() throws Exception {
    Space space = spaceOf(30);
    Id spaceId = Id.ofHex(space.id());
    List<Id> groups = groupIds(spaceId);
    Node alice = nodes.get(0);
    for (Id g : groups) {
      TreeHealth h = group(alice, spaceId, g).group().treeHealth();
      assertFalse(h.full(), "members joined by add-only commits leave the tree sparse: " + h);
    }

    // Refreshes on: every member arms its timer for the current epochs at the same virtual time
    // (as after an epoch change), then the space is quiet.
    List<CompletableFuture<Void>> armed = new ArrayList<>();
    for (Node n : nodes) {
      ctx(n).pathRefreshQuiet = Duration.ofMinutes(2);
      SpaceActor a = ctx(n).spaces.get(spaceId);
      armed.add(a.step(s -> {
        a.refresh.arm(s, a.control);
        for (GroupChannel gc : List.copyOf(a.channels.values())) {
          a.refresh.arm(s, gc);
        }
        return null;
      }));
    }
    await(CompletableFuture.allOf(armed.toArray(new CompletableFuture<?>[0])));
    net.runFor(Duration.ofMinutes(90));

    for (Id g : groups) {
      GroupChannel ref = group(alice, spaceId, g);
      TreeHealth h = ref.group().treeHealth();
      assertTrue(h.blankParents() + h.unmergedLeaves() <= 2,
          "tree of " + ref.name() + " still sparse after the schedule: " + h + " (seed " + seed
          + ")");
      assertTrue(ref.group().epoch() > 10, "too few refreshes: epoch " + ref.group().epoch());
      for (Node n : nodes) {
        GroupChannel gc = group(n, spaceId, g);
        assertEquals(ref.group().epoch(), gc.group().epoch(), "seed " + seed);
        assertArrayEquals(ref.group().epochAuthenticator(), gc.group().epochAuthenticator(),
            "members disagree on " + ref.name() + " (seed " + seed + ")");
      }
    }

    // Messages still flow, from the owner and from a plain member who refreshed.
    await(space.channel("general").orElseThrow().send("from the owner"));
    Channel bobGeneral = nodes.get(7).space(space.id()).orElseThrow().channel("general")
        .orElseThrow();
    await(bobGeneral.send("from a member"));
    net.runFor(Duration.ofMinutes(1));
    for (int i = 1; i < nodes.size(); i++) {
      assertTrue(received.get(i).texts().contains("from the owner"), "member " + i + " (seed "
          + seed + ")");
      if (i != 7) {
        assertTrue(received.get(i).texts().contains("from a member"), "member " + i + " (seed "
            + seed + ")");
      }
    }
  }

  @Test
  void aPathRefreshOutsideTheSlots_andARefreshersCommitWithProposals_areRefusedByAll()
      throws Exception {
    Space space = spaceOf(9);
    Id spaceId = Id.ofHex(space.id());
    Id general = Id.ofHex(space.channel("general").orElseThrow().id());
    Node alice = nodes.get(0);
    GroupChannel ref = group(alice, spaceId, general);
    long before = ref.group().epoch();
    List<PeerId> refreshers = PathRefresh.refreshers(ref);
    assertFalse(refreshers.isEmpty(), "the tree is sparse, someone may refresh");
    Node inSlot = null;
    Node outside = null;
    for (Node n : nodes.subList(1, nodes.size())) {
      if (refreshers.contains(n.peerId())) {
        inSlot = inSlot == null ? n : inSlot;
      } else if (outside == null) {
        outside = n;
      }
    }
    assertTrue(inSlot != null && outside != null, "refreshers " + refreshers);

    // A member outside the slots sends a path refresh: held by all, never applied.
    forge(outside, spaceId, general, CommitOptions.builder().includePendingProposals(false)
        .forcePath(true).build());
    net.runFor(Duration.ofMinutes(2));
    assertEpochEverywhereExcept(spaceId, general, before, outside);

    // A refresher sends a commit that removes a member: refused by all.
    Node refresher = inSlot;
    int victim = group(refresher, spaceId, general).leafOf(nodes.get(nodes.size() - 1).peerId());
    forge(refresher, spaceId, general, CommitOptions.builder().remove(victim).build());
    net.runFor(Duration.ofMinutes(2));
    assertEpochEverywhereExcept(spaceId, general, before, outside, refresher);
    for (Node n : nodes) {
      if (n != refresher) {
        assertEquals(9, group(n, spaceId, general).members().size(), "seed " + seed);
      }
    }

    // The refresher's real path refresh is accepted by everyone else.
    Node other = nodes.stream().filter(n -> refreshers.contains(n.peerId()) && n != refresher)
        .findFirst().orElse(null);
    if (other != null) {
      forge(other, spaceId, general, CommitOptions.builder().includePendingProposals(false)
          .forcePath(true).build());
      net.runFor(Duration.ofMinutes(2));
      for (Node n : nodes) {
        if (n != outside && n != refresher) {
          assertEquals(before + 1, group(n, spaceId, general).group().epoch(), "seed " + seed);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  /** A space of {@code n} members who joined one by one, with refreshes off. */
  private Space spaceOf(int n) {
    Node alice = start();
    Space space = await(alice.createSpace("Team"));
    for (int i = 1; i < n; i++) {
      Node m = start();
      await(m.join(await(space.createInvite())));
    }
    net.runFor(Duration.ofMinutes(2));
    return space;
  }

  private void forge(Node n, Id spaceId, Id group, CommitOptions options) {
    SpaceActor a = ctx(n).spaces.get(spaceId);
    await(a.step(s -> {
      a.commits.commitIgnoringPolicy(s, a.channels.get(group), options, null, null, null);
      return null;
    }));
  }

  private void assertEpochEverywhereExcept(Id spaceId, Id group, long epoch, Node... forgers) {
    List<Node> skip = List.of(forgers);
    for (Node n : nodes) {
      if (!skip.contains(n)) {
        assertEquals(epoch, group(n, spaceId, group).group().epoch(),
            "a member applied a refused commit (seed " + seed + ")");
      }
    }
  }

  private List<Id> groupIds(Id spaceId) {
    SpaceActor a = ctx(nodes.get(0)).spaces.get(spaceId);
    List<Id> out = new ArrayList<>();
    out.add(a.control.id());
    out.addAll(a.channels.keySet());
    return out;
  }

  private static GroupChannel group(Node n, Id spaceId, Id group) {
    SpaceActor a = ctx(n).spaces.get(spaceId);
    return group.equals(a.control.id()) ? a.control : a.channels.get(group);
  }

  private static NodeContext ctx(Node n) {
    return n.running().ctx();
  }

  private Node start() {
    Received r = new Received();
    NodeConfig config = new NodeConfig(null, Storages.inMemory(), net.transportFactory(),
        List.of(), List.of(), Jitter.none(), null, 2, net.clock(), net.scheduler(),
        seeded(seed * 31 + counter++), Runnable::run, null, Duration.ofDays(7), r, null,
        io.spacepanda.NodeEventListener.none(), NodeConfig.DEFAULT_DELIVERY_HORIZON,
        Duration.ZERO);
    Node n = new Node(config);
    nodes.add(n);
    received.add(r);
    await(n.start());
    ctx(n).pathRefreshQuiet = Duration.ZERO;
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
