package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The stored index of the KeyPackages a newcomer keeps for a re-admission ({@link
 * ReadmitKeys#encode}): round trips, version 1 still read, limits, and random or mutated bytes
 * give a typed error only.
 */
class ReadmitKeysIndexTest {

  private static List<byte[]> blobs(Random rnd, int n, int len) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[len];
      rnd.nextBytes(b);
      out.add(b);
    }
    return out;
  }

  @Property(tries = 200)
  void roundTrips(@ForAll long seed, @ForAll @IntRange(min = 0, max = 8) int refs,
      @ForAll @IntRange(min = 0, max = 16) int joined) throws Exception {
    Random rnd = new Random(seed);
    ReadmitKeys.Index ix = new ReadmitKeys.Index(rnd.nextLong() & Long.MAX_VALUE,
        blobs(rnd, refs, 1 + rnd.nextInt(64)), blobs(rnd, joined, 32));
    byte[] encoded = ReadmitKeys.encode(ix);
    ReadmitKeys.Index back = ReadmitKeys.decode(encoded);
    assertEquals(ix.joinEpoch(), back.joinEpoch());
    assertEquals(refs, back.refs().size());
    assertEquals(joined, back.joined().size());
    for (int i = 0; i < joined; i++) {
      assertArrayEquals(ix.joined().get(i), back.joined().get(i));
    }
    assertArrayEquals(encoded, ReadmitKeys.encode(back));
  }

  @Test
  void moreJoinedThanTheLimit_keepsTheNewest() throws Exception {
    Random rnd = new Random(1);
    List<byte[]> joined = blobs(rnd, ReadmitKeys.MAX_JOINED + 3, 32);
    ReadmitKeys.Index back = ReadmitKeys.decode(ReadmitKeys.encode(
        new ReadmitKeys.Index(5, List.of(), joined)));
    assertEquals(ReadmitKeys.MAX_JOINED, back.joined().size());
    assertArrayEquals(joined.get(joined.size() - 1),
        back.joined().get(ReadmitKeys.MAX_JOINED - 1));
  }

  @Test
  void version1_stillRead() throws Exception {
    byte[] v1 = {1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 2, 7, 8};
    ReadmitKeys.Index ix = ReadmitKeys.decode(v1);
    assertEquals(9, ix.joinEpoch());
    assertArrayEquals(new byte[] {7, 8}, ix.refs().get(0));
    assertEquals(0, ix.joined().size());
    assertThrows(MlsDecodeException.class, () -> ReadmitKeys.decode(new byte[] {3}));
    assertThrows(MlsDecodeException.class, () -> ReadmitKeys.decode(new byte[0]));
  }

  @Property(tries = 300)
  void mutatedOrRandomBytes_typedErrorsOnly(@ForAll long seed) {
    Random rnd = new Random(seed);
    byte[] encoded = ReadmitKeys.encode(new ReadmitKeys.Index(3, blobs(rnd, 2, 32),
        blobs(rnd, 2, 32)));
    byte[] bad = switch (rnd.nextInt(4)) {
      case 0 -> java.util.Arrays.copyOf(encoded, rnd.nextInt(encoded.length));
      case 1 -> {
        byte[] b = encoded.clone();
        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        yield b;
      }
      case 2 -> java.util.Arrays.copyOf(encoded, encoded.length + 1 + rnd.nextInt(8));
      default -> {
        byte[] b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
        yield b;
      }
    };
    try {
      ReadmitKeys.decode(bad);
    } catch (MlsDecodeException expected) {
      // typed
    }
  }
}
