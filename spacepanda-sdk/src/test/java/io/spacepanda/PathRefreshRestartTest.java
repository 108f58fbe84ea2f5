package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.node.NodeInternals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Tree health follow-ups (issue 11): the path refresh interval is a builder option, and a member
 * that restarts arms its refresh timers again without waiting for an epoch change.
 */
class PathRefreshRestartTest {

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

  private static io.spacepanda.internal.node.Node internal(SpacePanda n) {
    return ((NodeFront) n).node();
  }

  @Test
  void builderOption_isChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> SpacePanda.builder().pathRefreshInterval(Duration.ofMillis(10)));
    assertThrows(IllegalArgumentException.class,
        () -> SpacePanda.builder().pathRefreshInterval(Duration.ofDays(31)));
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder()
        .pathRefreshInterval(Duration.ZERO).pathRefreshInterval(Duration.ofMinutes(1)));
    assertTrue(SpacePanda.builder().pathRefreshInterval(Duration.ofMinutes(3)).toString()
        .contains("pathRefreshInterval=PT3M"));
  }

  @Test
  void aRefresherThatRestarts_refreshesAfterItsInterval_withoutAnEpochChange() {
    // Nine members on restartable disks; a day-long interval, so nobody refreshes meanwhile.
    List<CrashableStorage> disks = new ArrayList<>();
    List<SimCluster.Node> nodes = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      disks.add(new CrashableStorage());
      nodes.add(start("n" + i, disks.get(i), Duration.ofDays(1)));
    }
    Space space = cluster.await(nodes.get(0).node().createSpace("Team"));
    for (SimCluster.Node n : nodes.subList(1, 9)) {
      cluster.await(n.node().join(cluster.await(space.createInvite())));
    }
    cluster.settle();
    String general = space.channel("general").orElseThrow().id();
    List<PeerId> refreshers = NodeInternals.refreshers(internal(nodes.get(0).node()), general);
    assertFalse(refreshers.isEmpty(), "add-only commits leave the tree sparse (seed " + seed + ")");
    int who = -1;
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).id().equals(refreshers.get(0))) {
        who = i;
      }
    }
    long epoch = NodeInternals.group(internal(nodes.get(0).node()), general).group().epoch();

    // The first refresher restarts with a two-minute interval; its refresh comes from the
    // timer armed at start (no epoch change happens in between).
    nodes.get(who).node().close();
    cluster.run(Duration.ofSeconds(5));
    nodes.set(who, start("n" + who + "'", disks.get(who), Duration.ofMinutes(2)));
    cluster.run(Duration.ofMinutes(10));
    long after = NodeInternals.group(internal(nodes.get(0).node()), general).group().epoch();
    assertTrue(after > epoch, "no refresh after the restart (seed " + seed + ")");
    List<PeerId> committed = NodeInternals.committers(internal(nodes.get(0).node()), general);
    assertEquals(refreshers.get(0), committed.get(committed.size() - 1),
        "the restarted refresher made the last commit (seed " + seed + ")");

    // Messages still flow to the restarted refresher (which may be the owner).
    SimCluster.Node sender = nodes.get(who == 0 ? 1 : 0);
    cluster.await(sender.node().space(space.id()).orElseThrow().channel("general").orElseThrow()
        .send("after the refresh"));
    cluster.settle();
    assertTrue(nodes.get(who).events().texts().contains("after the refresh"), "seed " + seed);
  }

  private SimCluster.Node start(String name, CrashableStorage disk, Duration interval) {
    return cluster.node(name, disk.open(), UnaryOperator.identity(), Jitter.none(),
        b -> b.pathRefreshInterval(interval));
  }
}
