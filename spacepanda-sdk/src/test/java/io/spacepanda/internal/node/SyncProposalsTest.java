package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The proposal-tags sync extension ({@link SyncProposals#EXT_PROPOSALS}): round trips, bounds, fuzz. */
class SyncProposalsTest {

  @Property
  void tags_roundTrip(@ForAll @Size(max = SyncProposals.MAX_TAGS)
      List<@IntRange(min = 0, max = 0xFFFF) Integer> tags) throws Exception {
    byte[] body = SyncProposals.encodeTags(tags);
    assertEquals(tags, SyncProposals.decodeTags(body));
  }

  @Test
  void moreThanTheBound_isATypedError() {
    List<Integer> tags = new ArrayList<>();
    for (int i = 0; i <= SyncProposals.MAX_TAGS; i++) {
      tags.add(i);
    }
    assertThrows(MlsDecodeException.class,
        () -> SyncProposals.decodeTags(SyncProposals.encodeTags(tags)));
  }

  @Test
  void randomAndMutatedBytes_giveTagsOrATypedError() {
    Random r = new Random(7);
    byte[] good = SyncProposals.encodeTags(List.of(1, 2, 65535));
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[r.nextInt(600)];
        r.nextBytes(b);
      } else {
        b = good.clone();
        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
      }
      try {
        List<Integer> tags = SyncProposals.decodeTags(b);
        for (int t : tags) {
          assertEquals(t & 0xFFFF, t);
        }
      } catch (MlsDecodeException expected) {
        // typed error: fine
      }
    }
  }

  @Test
  void tag_isTheFirstSixteenBitsOfTheHash() {
    byte[] m = {1, 2, 3};
    byte[] h = NodeContext.sha256(m);
    assertEquals(((h[0] & 0xFF) << 8) | (h[1] & 0xFF), SyncProposals.tag(m));
  }
}
