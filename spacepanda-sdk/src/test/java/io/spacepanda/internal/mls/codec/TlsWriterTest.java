package io.spacepanda.internal.mls.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TlsWriterTest {

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void varint_usesShortestForm_rfc9420Section2_1_2() {
    assertEquals("00", hex(new TlsWriter().varint(0).toByteArray()));
    assertEquals("3f", hex(new TlsWriter().varint(63).toByteArray()));
    assertEquals("4040", hex(new TlsWriter().varint(64).toByteArray()));
    assertEquals("7fff", hex(new TlsWriter().varint(16383).toByteArray()));
    assertEquals("80004000", hex(new TlsWriter().varint(16384).toByteArray()));
    assertEquals("bfffffff", hex(new TlsWriter().varint(TlsWriter.MAX_VARINT).toByteArray()));
  }

  @Test
  void varint_outOfRange_fails() {
    assertThrows(IllegalArgumentException.class, () -> new TlsWriter().varint(-1));
    assertThrows(IllegalArgumentException.class, () -> new TlsWriter().varint(1 << 30));
  }

  @Test
  void fixedWidth_outOfRange_fails() {
    assertThrows(IllegalArgumentException.class, () -> new TlsWriter().u8(256));
    assertThrows(IllegalArgumentException.class, () -> new TlsWriter().u16(-1));
    assertThrows(IllegalArgumentException.class, () -> new TlsWriter().u32(1L << 32));
  }

  @Test
  void vector_headerGrowsAcrossLengthBoundary() throws MlsDecodeException {
    byte[] body = new byte[100];
    byte[] enc = new TlsWriter().u8(7).vector(w -> w.raw(body)).u8(9).toByteArray();
    assertEquals(1 + 2 + 100 + 1, enc.length);
    TlsReader r = new TlsReader(enc);
    assertEquals(7, r.u8());
    assertArrayEquals(body, r.opaque());
    assertEquals(9, r.u8());
    r.expectEnd();
  }

  @Property(tries = 300)
  void opaque_roundTrips(@ForAll @Size(max = 20000) byte[] data) throws MlsDecodeException {
    byte[] enc = new TlsWriter().opaque(data).toByteArray();
    assertArrayEquals(data, TlsReader.decodeExactly(enc, TlsReader::opaque));
  }

  @Property(tries = 300)
  void integers_roundTrip(@ForAll @IntRange(max = 255) int a, @ForAll @IntRange(max = 65535) int b,
      @ForAll long c, @ForAll @IntRange(min = 0, max = (1 << 30) - 1) int v)
      throws MlsDecodeException {
    byte[] enc = new TlsWriter().u8(a).u16(b).u32(c & 0xFFFFFFFFL).u64(c).varint(v).toByteArray();
    TlsReader r = new TlsReader(enc);
    assertEquals(a, r.u8());
    assertEquals(b, r.u16());
    assertEquals(c & 0xFFFFFFFFL, r.u32());
    assertEquals(c, r.u64());
    assertEquals(v, r.varint());
    r.expectEnd();
  }

  @Property(tries = 200)
  void vectorOfVectors_roundTrips(@ForAll @Size(max = 30) List<@Size(max = 200) byte[]> items)
      throws MlsDecodeException {
    byte[] enc = new TlsWriter().vector(items, TlsWriter::opaque).toByteArray();
    List<byte[]> back = TlsReader.decodeExactly(enc, r -> r.vector(TlsReader::opaque));
    assertEquals(items.size(), back.size());
    for (int i = 0; i < items.size(); i++) {
      assertArrayEquals(items.get(i), back.get(i));
    }
  }
}
