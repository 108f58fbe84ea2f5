package io.spacepanda.internal.mls.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TlsReaderTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void varint_reservedPrefix_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("c0000000")).varint());
  }

  @Test
  void varint_nonMinimal_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("4001")).varint());
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("80000001")).varint());
  }

  @Test
  void opaque_lengthBeyondInput_isDecodeErrorWithoutAllocation() {
    // Claims 2^30-1 bytes but carries 2: must fail on the bound check, not allocate a gigabyte.
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("bfffffff0102")).opaque());
  }

  @Test
  void opaqueWithMax_oversized_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("03010203")).opaque(2));
  }

  @Test
  void vector_itemOverrunsVector_isDecodeError() {
    // Outer vector of 2 bytes holds an opaque claiming 3 bytes: the item must not read past it.
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0203aabbcc"), r -> r.vector(TlsReader::opaque)));
  }

  @Test
  void decodeExactly_trailingBytes_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(hex("0100"), TlsReader::u8));
  }

  @Test
  void optional_presenceByteOtherThanZeroOrOne_isDecodeError() throws MlsDecodeException {
    assertNull(new TlsReader(hex("00")).optionalOpaque());
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("0200")).optionalOpaque());
  }

  @Test
  void fixedWidth_truncated_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("01")).u16());
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("010203")).u32());
    assertThrows(MlsDecodeException.class, () -> new TlsReader(hex("01020304050607")).u64());
  }

  @Test
  void u32_readsUnsigned() throws MlsDecodeException {
    assertEquals(0xFFFFFFFFL, new TlsReader(hex("ffffffff")).u32());
  }

  @Property(tries = 1000)
  void randomBytes_endOnlyInDecodeError(@ForAll @Size(max = 64) byte[] input) {
    try {
      TlsReader.decodeExactly(input, r -> {
        List<List<byte[]>> v = r.vector(x -> x.vector(TlsReader::opaque));
        r.optionalOpaque();
        r.u16();
        return v;
      });
    } catch (MlsDecodeException expected) {
      // the only permitted failure
    }
  }
}
