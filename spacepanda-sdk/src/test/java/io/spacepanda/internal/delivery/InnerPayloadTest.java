package io.spacepanda.internal.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InnerPayloadTest {

  @Provide
  Arbitrary<InnerPayload> payloads() {
    return Combinators.combine(Arbitraries.integers().greaterOrEqual(0),
        Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs().greaterOrEqual(0),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)).as(InnerPayload::new);
  }

  @Property
  void roundTrip(@ForAll("payloads") InnerPayload p) throws Exception {
    assertEquals(p, InnerPayload.decode(p.toBytes()));
  }

  @Property
  void randomBytes_decodeOrTypedError(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      InnerPayload.decode(bytes);
    } catch (MlsDecodeException expected) {
      // the only failure allowed
    }
  }

  @Property
  void mutatedBytes_decodeOrTypedError(@ForAll("payloads") InnerPayload p,
      @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte value) {
    byte[] b = p.toBytes();
    b[position % b.length] = value;
    try {
      InnerPayload.decode(b);
    } catch (MlsDecodeException expected) {
      // the only failure allowed
    }
  }

  @Test
  void decode_unknownVersion_fails() {
    byte[] b = new InnerPayload(1, 1, 0, new byte[] {1}).toBytes();
    b[0] = 2;
    assertThrows(MlsDecodeException.class, () -> InnerPayload.decode(b));
  }

  @Test
  void decode_trailingByte_fails() {
    byte[] b = new InnerPayload(1, 1, 0, new byte[] {1}).toBytes();
    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
    assertThrows(MlsDecodeException.class, () -> InnerPayload.decode(longer));
  }

  @Test
  void create_negativeLamport_fails() {
    assertThrows(IllegalArgumentException.class, () -> new InnerPayload(1, -1, 0, new byte[0]));
  }
}
