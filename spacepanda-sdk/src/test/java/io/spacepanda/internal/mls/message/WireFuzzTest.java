package io.spacepanda.internal.mls.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.message.WireArbitraries.Sample;
import io.spacepanda.internal.mls.message.WireArbitraries.Structure;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Hostile input to every decoder of the package: random bytes and mutated valid encodings
 * (bit-flipped, overwritten, truncated, extended, with bytes inserted or removed) end only in
 * {@link MlsDecodeException}. Input that happens to decode must re-encode to exactly itself, i.e.
 * the decoders accept only the canonical encoding.
 */
class WireFuzzTest {

  private static final List<Structure<?>> STRUCTURES = WireArbitraries.all();

  /** One way to damage an encoding. */
  enum Kind { FLIP_BIT, OVERWRITE_BYTE, TRUNCATE, APPEND, INSERT_BYTE, DELETE_BYTE }

  /**
   * A damage at a position.
   *
   * @param kind what to do
   * @param position where (taken modulo the length)
   * @param value the bit index or new byte
   * @param extra bytes to append
   */
  record Mutation(Kind kind, int position, int value, byte[] extra) {

    byte[] apply(byte[] in) {
      int n = in.length;
      int at = n == 0 ? 0 : Math.floorMod(position, n);
      switch (kind) {
        case FLIP_BIT: {
          byte[] out = in.clone();
          if (n > 0) {
            out[at] ^= (byte) (1 << (value & 7));
          }
          return out;
        }
        case OVERWRITE_BYTE: {
          byte[] out = in.clone();
          if (n > 0) {
            out[at] = (byte) value;
          }
          return out;
        }
        case TRUNCATE:
          return Arrays.copyOf(in, at);
        case APPEND: {
          byte[] out = Arrays.copyOf(in, n + extra.length);
          System.arraycopy(extra, 0, out, n, extra.length);
          return out;
        }
        case INSERT_BYTE: {
          byte[] out = new byte[n + 1];
          System.arraycopy(in, 0, out, 0, at);
          out[at] = (byte) value;
          System.arraycopy(in, at, out, at + 1, n - at);
          return out;
        }
        default: {
          if (n == 0) {
            return in;
          }
          byte[] out = new byte[n - 1];
          System.arraycopy(in, 0, out, 0, at);
          System.arraycopy(in, at + 1, out, at, n - at - 1);
          return out;
        }
      }
    }
  }

  @Provide
  Arbitrary<Sample<?>> anySample() {
    return WireArbitraries.anySample();
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers(),
        Arbitraries.integers().between(0, 255), WireArbitraries.bytes(8))
        .as(Mutation::new).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 500)
  void mutatedValidEncoding_endsOnlyInDecodeErrorOrCanonicalValue(
      @ForAll("anySample") Sample<?> sample, @ForAll("mutations") List<Mutation> mutations) {
    byte[] valid = sample.encoding();
    for (Mutation m : mutations) {
      assertDecodesCanonicallyOrFails(sample.structure(), m.apply(valid));
    }
    byte[] cumulative = valid;
    for (Mutation m : mutations) {
      cumulative = m.apply(cumulative);
    }
    assertDecodesCanonicallyOrFails(sample.structure(), cumulative);
  }

  @Property(tries = 300)
  void randomBytes_everyDecoder_endsOnlyInDecodeErrorOrCanonicalValue(
      @ForAll @Size(max = 200) byte[] input) {
    for (Structure<?> s : STRUCTURES) {
      assertDecodesCanonicallyOrFails(s, input);
    }
  }

  @Property(tries = 300)
  void randomBytesBehindEveryPrefix_endOnlyInDecodeErrorOrCanonicalValue(
      @ForAll("anySample") Sample<?> sample, @ForAll @Size(max = 64) byte[] tail,
      @ForAll int cut) {
    byte[] valid = sample.encoding();
    int keep = valid.length == 0 ? 0 : Math.floorMod(cut, valid.length);
    byte[] input = Arrays.copyOf(valid, keep + tail.length);
    System.arraycopy(tail, 0, input, keep, tail.length);
    assertDecodesCanonicallyOrFails(sample.structure(), input);
  }

  private static <T> void assertDecodesCanonicallyOrFails(Structure<T> structure, byte[] input) {
    T value;
    try {
      value = io.spacepanda.internal.mls.codec.TlsReader.decodeExactly(input, structure.decoder());
    } catch (MlsDecodeException expected) {
      return;
    }
    assertArrayEquals(input, structure.encoder().apply(value), structure.name());
  }
}
