package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SecretBytesTest {

  @Test
  void equals_comparesContent() {
    assertEquals(SecretBytes.copyOf(new byte[] {1, 2}), SecretBytes.copyOf(new byte[] {1, 2}));
    assertNotEquals(SecretBytes.copyOf(new byte[] {1, 2}), SecretBytes.copyOf(new byte[] {1, 3}));
    assertNotEquals(SecretBytes.copyOf(new byte[] {1, 2}), SecretBytes.copyOf(new byte[] {1, 2, 0}));
  }

  @Test
  void toString_showsLengthOnly() {
    assertEquals("SecretBytes[3 bytes]", SecretBytes.copyOf(new byte[] {0x41, 0x42, 0x43}).toString());
  }

  @Test
  void copies_protectAgainstCallerMutation() {
    byte[] raw = {1, 2, 3};
    SecretBytes s = SecretBytes.copyOf(raw);
    raw[0] = 9;
    s.exportSecret()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, s.exportSecret());
  }

  @Test
  void random_drawsRequestedLength() {
    assertEquals(32, SecretBytes.random(32, new SecureRandom()).length());
    assertThrows(IllegalArgumentException.class, () -> SecretBytes.random(0, new SecureRandom()));
  }
}
