package io.spacepanda.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdTest {

  @Test
  void of_badLengths_fail() {
    assertThrows(IllegalArgumentException.class, () -> Id.of(null));
    assertThrows(IllegalArgumentException.class, () -> Id.of(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> Id.of(new byte[Id.MAX_LENGTH + 1]));
    assertEquals(Id.MAX_LENGTH, Id.of(new byte[Id.MAX_LENGTH]).length());
  }

  @Test
  void of_copiesInAndOut() {
    byte[] bytes = {1, 2, 3};
    Id id = Id.of(bytes);
    bytes[0] = 9;
    id.toBytes()[1] = 9;
    assertEquals(Id.ofHex("010203"), id);
  }

  @Test
  void equals_byContent() {
    assertEquals(Id.of(new byte[] {1, 2}), Id.of(new byte[] {1, 2}));
    assertEquals(Id.of(new byte[] {1, 2}).hashCode(), Id.of(new byte[] {1, 2}).hashCode());
    assertNotEquals(Id.of(new byte[] {1, 2}), Id.of(new byte[] {1, 2, 0}));
  }

  @Test
  void compareTo_unsignedThenShorterFirst() {
    assertTrue(Id.ofHex("01").compareTo(Id.ofHex("ff")) < 0);
    assertTrue(Id.ofHex("ff").compareTo(Id.ofHex("ff00")) < 0);
    assertEquals(0, Id.ofHex("abcd").compareTo(Id.ofHex("ABCD")));
  }

  @Test
  void toString_isHex() {
    assertEquals("00ff10", Id.ofHex("00FF10").toString());
  }
}
