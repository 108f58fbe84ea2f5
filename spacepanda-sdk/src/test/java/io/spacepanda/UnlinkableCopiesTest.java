package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 1: the copies of one message to different members share no bytes beyond the
 * constant framing (the version byte), and the envelope's kind is not visible outside its seal.
 */
class UnlinkableCopiesTest {

  /**
   * Longest run of equal bytes two unrelated copies may share. Two random strings of 256 to 4096
   * bytes share a common substring of 8 bytes with probability below 2^-40; the byte-identical
   * copies of before shared all of theirs.
   */
  private static final int MAX_SHARED_RUN = 7;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync();
    System.out.println("UnlinkableCopiesTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void copiesOfOneMessageToDifferentMembers_shareNoSubstringBeyondTheVersionByte() {
    List<SimCluster.Sent> sent = Collections.synchronizedList(new ArrayList<>());
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), cluster.tap(sent),
        Jitter.none());
    List<SimCluster.Node> others = new ArrayList<>();
    Space team = cluster.await(alice.node().createSpace("Team"));
    for (String name : List.of("bob", "carol", "dave", "erin")) {
      SimCluster.Node n = cluster.node(name);
      cluster.await(n.node().join(cluster.await(team.createInvite())));
      others.add(n);
    }
    cluster.settle();
    Channel general = alice.node().space(team.id()).orElseThrow().channel("general").orElseThrow();

    int messages = 3;
    List<List<SimCluster.Sent>> perMessage = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      sent.clear();
      cluster.await(general.send("hello " + i + " ".repeat(200)));
      perMessage.add(new ArrayList<>(sent));
    }
    for (SimCluster.Node n : others) {
      assertEquals(messages, n.events().messages.size(), "every member got every message; seed "
          + seed);
    }
    int pairs = 0;
    for (List<SimCluster.Sent> copies : perMessage) {
      Map<PeerId, byte[]> byRecipient = new HashMap<>();
      for (SimCluster.Sent s : copies) {
        byRecipient.putIfAbsent(s.to(), s.envelope());
      }
      assertEquals(others.size(), byRecipient.size(), "one copy per member; seed " + seed);
      List<byte[]> list = new ArrayList<>(byRecipient.values());
      Set<Integer> lengths = new HashSet<>();
      for (int a = 0; a < list.size(); a++) {
        lengths.add(list.get(a).length);
        assertEquals(2, list.get(a)[0], "the version byte is the only constant framing");
        for (int b = a + 1; b < list.size(); b++) {
          int run = longestCommonRun(list.get(a), 1, list.get(b), 1);
          assertTrue(run <= MAX_SHARED_RUN, "copies share " + run + " bytes; seed " + seed);
          pairs++;
        }
      }
      assertEquals(1, lengths.size(), "copies have one padded length");
    }
    assertEquals(messages * 6, pairs);
  }

  /** Longest common substring of a[from..] and b[from..], by dynamic programming on one row. */
  static int longestCommonRun(byte[] a, int fromA, byte[] b, int fromB) {
    int[] prev = new int[b.length + 1];
    int[] cur = new int[b.length + 1];
    int best = 0;
    for (int i = fromA; i < a.length; i++) {
      for (int j = fromB; j < b.length; j++) {
        cur[j + 1] = a[i] == b[j] ? prev[j] + 1 : 0;
        if (cur[j + 1] > best) {
          best = cur[j + 1];
        }
      }
      int[] t = prev;
      prev = cur;
      cur = t;
      java.util.Arrays.fill(cur, 0);
    }
    return best;
  }
}
