package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.tree.TreeHealth;
import io.spacepanda.internal.mls.tree.TreeMath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tree health (issue 11 item 5), measured on the real MLS code: members added one by one by one
 * committer, as the node adds them (add-only commits carry no UpdatePath), then a simulated month
 * of ordinary use with or without path refreshes.
 *
 * <p>Every commit's HPKE encryptions are counted where they are made ({@link
 * Group#pathEncryptions()}); creation and processing times are printed, never asserted. The
 * committer (leaf 0) and an observer (leaf 1) are real members that process every commit; the
 * other members' commits and Update proposals are authored by copies of the committer's state
 * acting as their leaf ({@link GroupFixtures#actAs}), which is all authoring needs.
 *
 * <p>A simulated day has 144 ten-minute slots. Churn: {@code 3} members leave (remove commits) and
 * {@code 3} join (add commits), and {@code 5} members' Update proposals are committed by the
 * committer, at random slots. With the refresh policy, every other slot in which the tree is not
 * full carries one path refresh ({@link Group#commitPathRefresh()}) from the member whose refresh
 * fills the most ({@link Group#refreshGains()}, ties broken by a hash of the epoch and leaf): the
 * node's schedule (a member refreshes after a quiet period, most useful first).
 *
 * <p>CI runs 64 members for 3 days. The measurement (1,000 members, 30 days):
 * {@code mvn -B -ntp -o -pl spacepanda-sdk verify -Dtest=TreeHealthSimulationTest
 * -Dspacepanda.treehealth.members=1000 -Dspacepanda.treehealth.days=30}.
 */
class TreeHealthSimulationTest {

  private static final int MEMBERS = Integer.getInteger("spacepanda.treehealth.members", 64);
  private static final int DAYS = Integer.getInteger("spacepanda.treehealth.days", 3);
  private static final int SLOTS_PER_DAY = 144;
  private static final int LEAVES_PER_DAY = 3;
  private static final int UPDATES_PER_DAY = 5;

  @Test
  void withoutRefresh_commitsStayExpensive_withRefresh_nearLog2() throws Exception {
    Month none = simulate(false);
    Month refresh = simulate(true);
    none.print("no refresh");
    refresh.print("path refresh");
    int log2 = TreeMath.log2(MEMBERS - 1) + 1;
    // The committer's commits of the last day: near log2(n) with the policy, far above without.
    Stats after = refresh.lastDay(Kind.COMMITTER);
    Stats before = none.lastDay(Kind.COMMITTER);
    // A commit that applies an Update or a Remove pays for the path it blanks itself, so even on
    // a refreshed tree a committer commit costs up to about 2 log2(n); the mean stays near log2.
    assertTrue(after.meanHpke() <= 2 * log2 && after.maxHpke <= 3 * log2,
        "refreshed tree, committer commits still cost " + after + " (log2 n = " + log2 + ")");
    assertTrue(before.meanHpke() > 3 * after.meanHpke(), "without refresh " + before.meanHpke()
        + " against " + after.meanHpke() + " with: the harness does not measure the tree");
    TreeHealth end = refresh.health;
    assertTrue(end.blankParents() + end.unmergedLeaves() <= 2 * log2,
        "tree still sparse after the schedule: " + end);
    assertTrue(none.health.blankParents() + none.health.unmergedLeaves() > 4 * log2,
        "without refresh the tree was expected sparse: " + none.health);
  }

  @Test
  void pathRefresh_isAcceptedAlone_andAnythingElseIsRefusedWithTheGroupUnchanged()
      throws Exception {
    MlsConfig config = GroupFixtures.config(7);
    GroupFixtures.Client alice = GroupFixtures.Client.named("alice", config);
    Group a = alice.create("g");
    List<KeyPackageBundle> kps = new ArrayList<>();
    CommitOptions.Builder add = CommitOptions.builder();
    for (int i = 0; i < 3; i++) {
      KeyPackageBundle kp = GroupFixtures.Client.named("m" + i, config).keyPackage();
      kps.add(kp);
      add.add(kp.keyPackage());
    }
    CommitResult r = a.commit(add.build());
    a.mergePendingCommit();
    Group b = Group.joinFromWelcome(config, GroupFixtures.roundTrip(MlsMessage.of(
        r.welcomeOrNull())).welcome(), kps.get(0), null, id -> null);
    Group c = Group.joinFromWelcome(config, GroupFixtures.roundTrip(MlsMessage.of(
        r.welcomeOrNull())).welcome(), kps.get(1), null, id -> null);
    // Four leaves, every parent blank (nodes 1, 3, 5); each leaf's refresh would fill 2 of them.
    assertEquals(new TreeHealth(4, 3, 0), a.treeHealth(), "adds without a path leave blanks");
    assertArrayEquals(new int[] {2, 2, 2, 2}, a.refreshGains());

    // b's commit removing a member is not a path refresh: c refuses it and stays in its epoch.
    long epoch = c.epoch();
    CommitResult removal = b.commit(CommitOptions.builder().remove(3).build());
    b.discardPendingCommit();
    assertThrows(MlsValidationException.class,
        () -> c.processPathRefresh(GroupFixtures.roundTrip(removal.commit())));
    assertEquals(epoch, c.epoch());
    // Nor is an application message.
    assertThrows(MlsValidationException.class, () -> c.processPathRefresh(
        GroupFixtures.roundTrip(b.protect(GroupFixtures.utf8("hi"), new byte[0]))));

    // c's path refresh is accepted by a and b, and fills c's path.
    CommitResult refresh = c.commitPathRefresh();
    c.mergePendingCommit();
    a.processPathRefresh(GroupFixtures.roundTrip(refresh.commit()));
    b.process(GroupFixtures.roundTrip(refresh.commit()));
    GroupFixtures.assertConverged(List.of(a, b, c));
    // Leaf 2's refresh set nodes 5 and 3; node 1 (over leaves 0 and 1) stays blank.
    assertEquals(new TreeHealth(4, 1, 0), a.treeHealth());
    assertArrayEquals(new int[] {1, 1, 0, 0}, a.refreshGains(), "c's path is full now");
    GroupFixtures.sendAndCheck(c, "after the refresh", List.of(a, b));
  }

  @Test
  void aFullTree_isHealthy_andNoRefreshGainsAnything() throws Exception {
    GroupFixtures.Pair p = GroupFixtures.fullTree(GroupFixtures.config(3), GroupFixtures.SUITE, 16);
    assertTrue(p.creator().treeHealth().full(), p.creator().treeHealth().toString());
    assertEquals(16, p.creator().treeHealth().members());
    assertTrue(Arrays.stream(p.creator().refreshGains()).allMatch(g -> g == 0));
    // A committer's commit on a full tree of 16 encrypts once per copath node: log2(16) = 4.
    long before = p.creator().pathEncryptions();
    p.creator().commitPathRefresh();
    assertEquals(4, p.creator().pathEncryptions() - before);
    p.creator().discardPendingCommit();
  }

  // ------------------------------------------------------------------------------------- month

  enum Kind { ADD, COMMITTER, REFRESH }

  /** One commit: its kind, day, creation and processing time (ns) and HPKE encryptions. */
  record Sample(Kind kind, int day, long createNs, long processNs, long hpke) {}

  record Stats(int count, long maxHpke, long sumHpke, double p50CreateMs, double maxCreateMs,
      double p50ProcessMs, double maxProcessMs) {
    double meanHpke() {
      return count == 0 ? 0 : (double) sumHpke / count;
    }

    static Stats of(List<Sample> samples) {
      long[] create = samples.stream().mapToLong(Sample::createNs).sorted().toArray();
      long[] process = samples.stream().mapToLong(Sample::processNs).sorted().toArray();
      long max = samples.stream().mapToLong(Sample::hpke).max().orElse(0);
      long sum = samples.stream().mapToLong(Sample::hpke).sum();
      return new Stats(samples.size(), max, sum, ms(create, 0.5), ms(create, 1.0),
          ms(process, 0.5), ms(process, 1.0));
    }

    private static double ms(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    @Override
    public String toString() {
      return String.format("n=%d hpke mean %.1f max %d | create p50 %.2f max %.2f ms | process"
          + " p50 %.2f max %.2f ms", count, meanHpke(), maxHpke, p50CreateMs, maxCreateMs,
          p50ProcessMs, maxProcessMs);
    }
  }

  record Month(List<Sample> samples, TreeHealth health) {
    Stats lastDay(Kind kind) {
      return Stats.of(samples.stream().filter(s -> s.kind == kind && s.day == DAYS - 1).toList());
    }

    Stats all(Kind kind) {
      return Stats.of(samples.stream().filter(s -> s.kind == kind && s.day >= 0).toList());
    }

    void print(String policy) {
      System.out.printf("%ntree health, %d members, %d days, %s:%n", MEMBERS, DAYS, policy);
      System.out.println("  adds (one by one): " + Stats.of(samples.stream()
          .filter(s -> s.day < 0).toList()));
      for (Kind k : List.of(Kind.ADD, Kind.COMMITTER, Kind.REFRESH)) {
        System.out.println("  month " + k + ": " + all(k));
        System.out.println("  last day " + k + ": " + lastDay(k));
      }
      System.out.println("  tree at the end: " + health);
    }
  }

  /** The group of the simulation: committer, observer and the other members' bundles. */
  private static final class Sim {
    final MlsConfig config = GroupFixtures.config(11);
    final Group committer;
    final Group observer;
    final Map<Integer, KeyPackageBundle> bundles = new HashMap<>();
    final List<Sample> samples = new ArrayList<>();
    int joined;

    Sim() throws MlsException {
      committer = Group.create(config, GroupFixtures.SUITE, GroupFixtures.utf8("month"),
          Credential.basic(GroupFixtures.utf8("committer")),
          GroupFixtures.SUITE.generateSignatureKeyPair(config.random()));
      KeyPackageBundle kp = newMember();
      CommitResult r = committer.commit(CommitOptions.builder().add(kp.keyPackage()).build());
      committer.mergePendingCommit();
      observer = Group.joinFromWelcome(config, GroupFixtures.roundTrip(
          MlsMessage.of(r.welcomeOrNull())).welcome(), kp, null, id -> null);
    }

    KeyPackageBundle newMember() {
      return KeyPackageBundle.create(config, GroupFixtures.SUITE,
          Credential.basic(("member-" + joined++).getBytes(StandardCharsets.UTF_8)),
          GroupFixtures.SUITE.generateSignatureKeyPair(config.random()));
    }

    /** The committer commits; the observer processes; one sample. */
    void committerCommit(Kind kind, int day, CommitOptions options, KeyPackageBundle added)
        throws MlsException {
      long hpke = committer.pathEncryptions();
      long t0 = System.nanoTime();
      CommitResult r = committer.commit(options);
      long t1 = System.nanoTime();
      ProcessedMessage.CommitApplied c = committer.mergePendingCommit();
      MlsMessage wire = GroupFixtures.roundTrip(r.commit());
      long t2 = System.nanoTime();
      observer.process(wire);
      long t3 = System.nanoTime();
      samples.add(new Sample(kind, day, t1 - t0, t3 - t2, committer.pathEncryptions() - hpke));
      if (added != null) {
        bundles.put(c.added().get(0).leafIndex(), added);
      }
      for (Member m : c.removed()) {
        bundles.remove(m.leafIndex());
      }
    }

    void add(int day) throws MlsException {
      KeyPackageBundle kp = newMember();
      committerCommit(Kind.ADD, day, CommitOptions.builder().add(kp.keyPackage())
          .ratchetTreeInWelcome(true).build(), kp);
    }

    /** A member's own commit (a path refresh), processed by both real members. */
    void refresh(int day, int leaf) throws MlsException {
      Group author = GroupFixtures.actAs(config, committer, leaf, bundles.get(leaf));
      long t0 = System.nanoTime();
      CommitResult r = author.commitPathRefresh();
      long t1 = System.nanoTime();
      MlsMessage wire = GroupFixtures.roundTrip(r.commit());
      committer.processPathRefresh(wire);
      long t2 = System.nanoTime();
      observer.processPathRefresh(wire);
      long t3 = System.nanoTime();
      samples.add(new Sample(Kind.REFRESH, day, t1 - t0, t3 - t2, author.pathEncryptions()));
    }

    /** A member's Update proposal, committed by the committer (§12.1.2 blanks its path). */
    void update(int day, int leaf) throws MlsException {
      Group author = GroupFixtures.actAs(config, committer, leaf, bundles.get(leaf));
      MlsMessage proposal = GroupFixtures.roundTrip(author.proposeUpdate());
      committer.process(proposal);
      observer.process(proposal);
      committerCommit(Kind.COMMITTER, day, CommitOptions.defaults(), null);
    }

    void remove(int day, int leaf) throws MlsException {
      committerCommit(Kind.COMMITTER, day, CommitOptions.builder().remove(leaf).build(), null);
    }

    /** The member whose refresh fills the most, ties by hash of epoch and leaf; -1 if full. */
    int bestRefresher() {
      int[] gains = committer.refreshGains();
      int best = -1;
      byte[] bestRank = null;
      for (int leaf : bundles.keySet()) {
        if (gains[leaf] == 0) {
          continue;
        }
        byte[] rank = rank(committer.epoch(), leaf);
        if (best < 0 || gains[leaf] > gains[best]
            || (gains[leaf] == gains[best] && Arrays.compareUnsigned(rank, bestRank) < 0)) {
          best = leaf;
          bestRank = rank;
        }
      }
      return best;
    }

    private static byte[] rank(long epoch, int leaf) {
      try {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(ByteBuffer.allocate(12).putLong(epoch).putInt(leaf).array());
        return d.digest();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static Month simulate(boolean refresh) throws MlsException {
    Sim sim = new Sim();
    for (int i = 2; i < MEMBERS; i++) {
      sim.add(-1);
    }
    Random random = new Random(42);
    for (int day = 0; day < DAYS; day++) {
      // The day's events at random slots; every other free slot may carry a refresh.
      Kind[] events = new Kind[SLOTS_PER_DAY];
      int[] todo = {LEAVES_PER_DAY, LEAVES_PER_DAY, UPDATES_PER_DAY};
      for (int k = 0; k < todo.length; k++) {
        for (int j = 0; j < todo[k]; j++) {
          int slot;
          do {
            slot = random.nextInt(SLOTS_PER_DAY);
          } while (events[slot] != null);
          events[slot] = k == 1 ? Kind.ADD : Kind.COMMITTER;
        }
      }
      int removesLeft = LEAVES_PER_DAY;
      for (int slot = 0; slot < SLOTS_PER_DAY; slot++) {
        if (events[slot] == Kind.ADD) {
          sim.add(day);
        } else if (events[slot] == Kind.COMMITTER) {
          List<Integer> others = new ArrayList<>(sim.bundles.keySet());
          others.remove(Integer.valueOf(1));
          others.sort(null);
          int leaf = others.get(random.nextInt(others.size()));
          if (removesLeft > 0) {
            removesLeft--;
            sim.remove(day, leaf);
          } else {
            sim.update(day, leaf);
          }
        } else if (refresh && slot % 2 == 1) {
          int leaf = sim.bestRefresher();
          if (leaf >= 0) {
            sim.refresh(day, leaf);
          }
        }
      }
    }
    return new Month(sim.samples, sim.committer.treeHealth());
  }
}
