package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.PeerId;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EpochHistoryTest {

  private static Arbitrary<byte[]> bytes(int max) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
  }

  @Provide
  Arbitrary<List<EpochHistory.Entry>> histories() {
    return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
        Combinators.combine(bytes(64), bytes(32), bytes(44)).as((a, h, c) -> new byte[][] {a, h,
            c}).list().ofMaxSize(EpochHistory.MAX_ENTRIES))
        .as((start, fields) -> {
          List<EpochHistory.Entry> out = new ArrayList<>();
          for (int i = 0; i < fields.size(); i++) {
            byte[][] f = fields.get(i);
            out.add(new EpochHistory.Entry(start + i, f[0], f[1], f[2]));
          }
          return out;
        });
  }

  @Property
  void roundTrip(@ForAll("histories") List<EpochHistory.Entry> h) throws Exception {
    byte[] encoded = EpochHistory.encode(h);
    List<EpochHistory.Entry> back = EpochHistory.decode(encoded);
    assertEquals(h, back);
    assertArrayEquals(encoded, EpochHistory.encode(back));
  }

  @Property
  void randomBytes_decodeOrTypedError(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      EpochHistory.decode(bytes);
    } catch (MlsDecodeException expected) {
      // typed
    }
  }

  @Property
  void mutatedBytes_decodeOrTypedError(@ForAll("histories") List<EpochHistory.Entry> h,
      @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll byte value) {
    byte[] encoded = EpochHistory.encode(h);
    if (encoded.length == 0) {
      return;
    }
    encoded[where % encoded.length] = value;
    try {
      EpochHistory.decode(encoded);
    } catch (MlsDecodeException expected) {
      // typed
    }
  }

  @Test
  void limits_tooManyEntries_outOfOrder_longFields_refused() {
    List<EpochHistory.Entry> many = new ArrayList<>();
    for (int i = 0; i <= EpochHistory.MAX_ENTRIES; i++) {
      many.add(entry(i, 1, 1));
    }
    assertThrows(MlsDecodeException.class, () -> EpochHistory.decode(EpochHistory.encode(many)));
    assertThrows(MlsDecodeException.class,
        () -> EpochHistory.decode(EpochHistory.encode(List.of(entry(5, 1, 1), entry(5, 2, 2)))));
    assertThrows(MlsDecodeException.class,
        () -> EpochHistory.decode(EpochHistory.encode(List.of(entry(5, 1, 1), entry(4, 2, 2)))));
    byte[] longField = new TlsWriter().vector(w -> w.u64(1)
        .opaque(new byte[EpochHistory.MAX_FIELD + 1]).opaque(new byte[0]).opaque(new byte[0]))
        .toByteArray();
    assertThrows(MlsDecodeException.class, () -> EpochHistory.decode(longField));
  }

  @Test
  void compare_findsTheFirstDifferingEpoch_orNone() {
    List<EpochHistory.Entry> mine = List.of(entry(3, 3, 0), entry(4, 4, 0), entry(5, 5, 0));
    List<EpochHistory.Entry> same = List.of(entry(4, 4, 0), entry(5, 5, 0), entry(6, 6, 0));
    assertNull(EpochHistory.compare(mine, same));
    List<EpochHistory.Entry> other = List.of(entry(4, 4, 0), entry(5, 50, 0), entry(6, 60, 0),
        entry(7, 70, 0));
    EpochHistory.Fork f = EpochHistory.compare(mine, other);
    assertNotNull(f);
    assertEquals(4, f.parent());
    assertEquals(5, f.mine().epoch());
    assertEquals(7, f.theirEpoch());
    assertNull(EpochHistory.compare(mine, List.of(entry(9, 9, 0))));
    assertNull(EpochHistory.compare(mine, List.of()));
  }

  @Test
  void rule_isAntisymmetric_andTheCreatorWins() {
    Random rnd = new Random(7);
    PeerId creator = peer(rnd);
    byte[] group = new byte[16];
    for (int i = 0; i < 200; i++) {
      PeerId p = rnd.nextInt(4) == 0 ? creator : peer(rnd);
      PeerId q = rnd.nextInt(4) == 0 ? creator : peer(rnd);
      EpochHistory.Entry a = new EpochHistory.Entry(9, random(rnd), random(rnd), p.bytes());
      EpochHistory.Entry b = new EpochHistory.Entry(9, random(rnd), random(rnd), q.bytes());
      boolean aWins = EpochHistory.mineWins(new EpochHistory.Fork(8, a, b, 9), group, creator);
      boolean bWins = EpochHistory.mineWins(new EpochHistory.Fork(8, b, a, 9), group, creator);
      assertNotEquals(aWins, bWins, "exactly one branch wins");
      if (p.equals(creator) && !q.equals(creator)) {
        assertEquals(true, aWins);
      }
    }
  }

  @Test
  void append_keepsTheLastEntries_andReplacesALeftBranch() {
    List<EpochHistory.Entry> h = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      h = EpochHistory.append(h, entry(i, i, 1));
    }
    assertEquals(EpochHistory.KEEP, h.size());
    assertEquals(19, h.get(h.size() - 1).epoch());
    h = EpochHistory.append(h, entry(15, 99, 1));
    assertEquals(15, h.get(h.size() - 1).epoch());
    assertArrayEquals(new byte[] {99}, h.get(h.size() - 1).authenticator());
  }

  private static EpochHistory.Entry entry(long epoch, int auth, int hash) {
    return new EpochHistory.Entry(epoch, new byte[] {(byte) auth}, new byte[] {(byte) hash},
        new byte[] {1});
  }

  private static byte[] random(Random rnd) {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return b;
  }

  private static PeerId peer(Random rnd) {
    byte[] key = new byte[32];
    rnd.nextBytes(key);
    return PeerId.fromPublicKey(key);
  }
}
