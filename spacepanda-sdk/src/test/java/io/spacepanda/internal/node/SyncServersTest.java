package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.spi.Id;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One server per lagging member ({@link SyncServers}): the choice, the fallback, the bounds. */
class SyncServersTest {

  private static final Id GROUP = Id.of(new byte[] {1, 2, 3});
  private static final SecureRandom RANDOM = new SecureRandom();

  private static PeerId peer() {
    return IdentityKey.generate(RANDOM).peerId();
  }

  private static List<PeerId> peers(int n) {
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(peer());
    }
    return out;
  }

  @Test
  void manyHolders_oneFetchAtATime_deterministicChoice() {
    PeerId self = peer();
    List<PeerId> holders = peers(10);
    SyncServers a = new SyncServers(self);
    SyncServers b = new SyncServers(self);
    PeerId first = a.holds(GROUP, holders.get(0), 5, 3, Map.of());
    assertEquals(holders.get(0), first, "the only holder known is asked");
    for (PeerId h : holders.subList(1, 10)) {
      assertNull(a.holds(GROUP, h, 5, 3, Map.of()), "a fetch is under way: nobody else asked");
    }
    // The same holders, the same round: the same choice (the lowest rank).
    PeerId chosen = null;
    for (PeerId h : holders) {
      PeerId p = b.holds(GROUP, h, 5, 3, Map.of());
      if (p != null) {
        chosen = p;
      }
    }
    assertEquals(holders.get(0), chosen);
    // The first server silent for more than a full round: the best-ranked of the others, by
    // the current round's hash, among at most MAX_HOLDERS remembered.
    assertNull(a.tick(GROUP, 6), "still within a round");
    PeerId next = a.tick(GROUP, 7);
    assertNotNull(next);
    assertNotEquals(holders.get(0), next, "the silent server is passed over");
  }

  @Test
  void silentServers_eachPassedOverOnce_thenStartsAfresh() {
    PeerId self = peer();
    List<PeerId> holders = peers(3);
    SyncServers s = new SyncServers(self);
    PeerId first = s.holds(GROUP, holders.get(0), 1, 1, Map.of());
    assertNull(s.holds(GROUP, holders.get(1), 1, 1, Map.of()));
    assertNull(s.holds(GROUP, holders.get(2), 1, 1, Map.of()));
    assertNull(s.tick(GROUP, 2), "silent for less than a full round: waited for");
    PeerId second = s.tick(GROUP, 3);
    assertNotNull(second);
    // The holders are seen again; the second server is silent too: the third one is asked.
    PeerId third = null;
    for (PeerId h : holders) {
      PeerId p = s.holds(GROUP, h, 5, 1, Map.of());
      if (p != null) {
        assertNull(third, "one server at a time");
        third = p;
      }
    }
    assertEquals(Set.of(first, second, third), new HashSet<>(holders), "each asked once");
    // All three silent: the list starts afresh rather than giving up.
    assertNotNull(s.tick(GROUP, 7));
  }

  @Test
  void serverDone_nextHolderAskedOnlyIfStillAhead() {
    PeerId self = peer();
    PeerId x = peer();
    PeerId y = peer();
    SyncServers s = new SyncServers(self);
    PeerId first = s.holds(GROUP, x, 1, 4, Map.of());
    assertEquals(x, first);
    assertNull(s.holds(GROUP, y, 1, 5, Map.of()));
    assertNull(s.answered(GROUP, y, false, true, 1, h -> true), "not the server: ignored");
    assertNull(s.answered(GROUP, x, true, true, 1, h -> true), "more: the same server goes on");
    // Done; y said it was at epoch 5: ahead, so it is asked.
    assertEquals(y, s.answered(GROUP, x, false, true, 1, h -> h.epoch() > 4));
    // Done again, with nothing served: no other holder is asked, the state is gone.
    assertNull(s.holds(GROUP, x, 1, 5, Map.of()));
    assertNull(s.answered(GROUP, y, false, false, 1, h -> true));
    assertEquals(0, s.size());
  }

  @Test
  void levelMembersAndOldHolders_forgotten_stateBounded() {
    PeerId self = peer();
    SyncServers s = new SyncServers(self);
    List<PeerId> many = peers(SyncServers.MAX_HOLDERS + 5);
    for (PeerId p : many) {
      s.holds(GROUP, p, 1, 1, Map.of());
    }
    // Holders not seen again for HOLDER_ROUNDS rounds are forgotten at the periodic check.
    long late = 1 + SyncServers.HOLDER_ROUNDS + 1;
    assertNull(s.tick(GROUP, late), "every holder forgotten: nobody to ask");
    assertEquals(0, s.size());
    s.holds(GROUP, many.get(0), late, 1, Map.of());
    s.level(GROUP, many.get(0));
    assertEquals(1, s.size(), "the fetch under way is kept until answered or timed out");
    for (int g = 0; g < SyncServers.MAX_GROUPS + 10; g++) {
      s.holds(Id.of(new byte[] {9, (byte) g, (byte) (g >> 8)}), many.get(1), late, 1, Map.of());
    }
    assertTrue(s.size() <= SyncServers.MAX_GROUPS);
  }

  @Test
  void serveExtension_namesOneMemberOrNobody() {
    PeerId me = peer();
    PeerId other = peer();
    assertEquals(1, SyncServers.asks(List.of(SyncServers.naming(me)), me));
    assertEquals(0, SyncServers.asks(List.of(SyncServers.naming(other)), me));
    assertEquals(0, SyncServers.asks(List.of(SyncServers.naming(null)), me));
    assertEquals(2, SyncServers.asks(List.of(), me), "no extension: an older node, served");
    List<NodeWire.SyncExtension> with = SyncServers.with(List.of(), other);
    assertEquals(1, with.size());
    assertEquals(SyncServers.EXT_SERVE, with.get(0).type());
  }
}
