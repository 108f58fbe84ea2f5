package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.PeerId;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.space.SpaceArbitraries;
import java.util.Arrays;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The stored redo list of a fork switch: round trips, and typed errors on damaged bytes. */
class ForkRedoTest {

  @Test
  void encodeDecode_roundTrips() throws Exception {
    PeerId a = PeerId.fromPublicKey(new byte[32]);
    byte[] k = new byte[32];
    k[0] = 1;
    PeerId b = PeerId.fromPublicKey(k);
    ForkRedo.Catchup c = new ForkRedo.Catchup(4, 7, Set.of(a), Set.of(a, b));
    assertEquals(c, ForkRedo.decode(ForkRedo.encode(c)));
    assertThrows(MlsDecodeException.class, () -> ForkRedo.decode(new byte[0]));
    byte[] backwards = ForkRedo.encode(new ForkRedo.Catchup(4, 5, Set.of(), Set.of()));
    backwards[16] = 3; // tip 3 before parent 4
    assertThrows(MlsDecodeException.class, () -> ForkRedo.decode(backwards));
  }

  @Property(tries = 200)
  void decode_encode_roundTrips(@ForAll("catchups") ForkRedo.Catchup c) throws Exception {
    assertEquals(c, ForkRedo.decode(ForkRedo.encode(c)));
  }

  @Property(tries = 500)
  void decode_mutatedOrRandom_failsTypedOrReEncodesIdentically(
      @ForAll("catchups") ForkRedo.Catchup c, @ForAll @IntRange(min = 0, max = 4000) int at,
      @ForAll byte value, @ForAll boolean truncate, @ForAll @Size(max = 64) byte[] random) {
    byte[] b = ForkRedo.encode(c);
    int i = at % b.length;
    byte[] mutated = truncate ? Arrays.copyOf(b, i) : b.clone();
    if (!truncate) {
      mutated[i] = value;
    }
    for (byte[] in : new byte[][] {mutated, random}) {
      try {
        ForkRedo.Catchup back = ForkRedo.decode(in);
        assertEquals(back, ForkRedo.decode(ForkRedo.encode(back)));
      } catch (MlsDecodeException expected) {
        // typed
      }
    }
  }

  @Provide
  Arbitrary<ForkRedo.Catchup> catchups() {
    return Combinators.combine(Arbitraries.longs().between(0, 1L << 40),
            Arbitraries.longs().between(1, 1000),
            SpaceArbitraries.peers().set().ofMaxSize(5), SpaceArbitraries.peers().set().ofMaxSize(5))
        .as((parent, d, removed, added) -> new ForkRedo.Catchup(parent, parent + d, removed, added));
  }
}
