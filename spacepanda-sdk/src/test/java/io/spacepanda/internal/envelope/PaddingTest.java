package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PaddingTest {

  @Test
  void pad_smallBody_fillsFirstBucketWithOverhead() throws Exception {
    byte[] padded = Padding.defaults().pad(new byte[] {7, 8, 9}, 50);
    assertEquals(256 - 50, padded.length);
    assertArrayEquals(new byte[] {0, 0, 0, 3, 7, 8, 9, 0}, java.util.Arrays.copyOf(padded, 8));
  }

  @Test
  void pad_bodyFillingBucketExactly_staysInThatBucket() throws Exception {
    assertEquals(1024 - 50, Padding.defaults().pad(new byte[1024 - 54], 50).length);
    assertEquals(4096 - 50, Padding.defaults().pad(new byte[1024 - 53], 50).length);
  }

  @Test
  void pad_bodyTooLargeForLargestBucket_failsTyped() {
    EnvelopeTooLargeException e = assertThrows(
        EnvelopeTooLargeException.class, () -> Padding.defaults().pad(new byte[65536 - 53], 50));
    assertEquals(65536 - 53, e.bodyLength());
    assertEquals(65536 - 54, e.maxBodyLength());
    assertEquals(65536 - 54, Padding.defaults().maxBodyLength(50));
  }

  @Test
  void of_customBuckets_used() throws Exception {
    Padding p = Padding.of(List.of(128, 300));
    assertEquals(List.of(128, 300), p.buckets());
    assertEquals(300, p.pad(new byte[200], 0).length);
    assertEquals(128, p.pad(new byte[100], 0).length);
    assertEquals("Padding[128, 300]", p.toString());
    assertEquals(Padding.of(Padding.DEFAULT_BUCKETS), Padding.defaults());
  }

  @Test
  void of_badBucketLists_failNamingTheValue() {
    assertThrows(IllegalArgumentException.class, () -> Padding.of(List.of()));
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> Padding.of(List.of(64)));
    assertTrue(small.getMessage().contains("64"));
    assertThrows(IllegalArgumentException.class, () -> Padding.of(List.of(1024, 256)));
    assertThrows(IllegalArgumentException.class, () -> Padding.of(List.of(256, 256)));
    assertThrows(IllegalArgumentException.class, () -> Padding.of(List.of(256, (1 << 20) + 1)));
  }

  @Test
  void unpad_lengthBeyondPaddedForm_fails() {
    assertThrows(EnvelopeException.class, () -> Padding.unpad(new byte[] {0, 0, 0, 5, 1, 2, 3, 4}));
    assertThrows(EnvelopeException.class, () -> Padding.unpad(new byte[] {(byte) 0xff, 0, 0, 0, 1}));
    assertThrows(EnvelopeException.class, () -> Padding.unpad(new byte[] {0, 0, 0}));
  }

  @Test
  void unpad_nonZeroPaddingByte_fails() {
    assertThrows(EnvelopeException.class, () -> Padding.unpad(new byte[] {0, 0, 0, 1, 42, 0, 1}));
  }

  @Property
  void padUnpad_roundTrips(@ForAll @Size(max = 2000) byte[] body, @ForAll @IntRange(max = 100) int overhead)
      throws Exception {
    byte[] padded = Padding.defaults().pad(body, overhead);
    assertTrue(Padding.DEFAULT_BUCKETS.contains(padded.length + overhead));
    assertArrayEquals(body, Padding.unpad(padded));
  }

  @Property
  void unpad_randomBytes_returnsOrFailsTyped(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      byte[] body = Padding.unpad(bytes);
      assertTrue(body.length <= bytes.length - 4);
    } catch (EnvelopeException expected) {
      assertEquals(EnvelopeException.MESSAGE, expected.getMessage());
    }
  }
}
