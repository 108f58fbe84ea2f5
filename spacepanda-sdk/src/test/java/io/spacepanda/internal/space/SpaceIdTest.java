package io.spacepanda.internal.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** SpaceId, ChannelId and OpId share one shape; this checks each of them. */
class SpaceIdTest {

  @Test
  void of_wrongLength_failsNamingLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SpaceId.of(new byte[15]));
    assertTrue(e.getMessage().contains("15"));
    assertThrows(IllegalArgumentException.class, () -> ChannelId.of(new byte[17]));
    assertThrows(IllegalArgumentException.class, () -> OpId.of(new byte[0]));
  }

  @Test
  void of_copiesAndComparesByContent() {
    byte[] b = SpaceFixtures.filled(3);
    SpaceId id = SpaceId.of(b);
    b[0] = 9;
    assertEquals(SpaceId.of(SpaceFixtures.filled(3)), id);
    assertArrayEquals(SpaceFixtures.filled(3), id.bytes());
    assertEquals("03".repeat(16), id.toString());
  }

  @Test
  void compareTo_isUnsigned() {
    byte[] high = new byte[16];
    high[0] = (byte) 0x80;
    assertTrue(ChannelId.of(new byte[16]).compareTo(ChannelId.of(high)) < 0);
    assertTrue(OpId.of(high).compareTo(OpId.of(new byte[16])) > 0);
  }

  @Test
  void random_drawsDistinctIds() {
    SecureRandom random = new SecureRandom();
    assertNotEquals(SpaceId.random(random), SpaceId.random(random));
    assertNotEquals(ChannelId.random(random), ChannelId.random(random));
    assertNotEquals(OpId.random(random), OpId.random(random));
  }
}
