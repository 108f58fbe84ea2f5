package io.spacepanda.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecretBlobTest {

  @Test
  void toString_showsLengthNotBytes() {
    SecretBlob blob = SecretBlob.copyOf(new byte[] {0x5a, 0x5a, 0x5a});
    assertEquals("SecretBlob[3 bytes]", blob.toString());
    assertFalse(blob.toString().contains("5a"));
  }

  @Test
  void copyOf_callerMayWipeItsArray() {
    byte[] secret = {1, 2, 3};
    SecretBlob blob = SecretBlob.copyOf(secret);
    java.util.Arrays.fill(secret, (byte) 0);
    assertArrayEquals(new byte[] {1, 2, 3}, blob.revealBytes());
  }

  @Test
  void equals_byContent() {
    assertEquals(SecretBlob.copyOf(new byte[] {1}), SecretBlob.copyOf(new byte[] {1}));
    assertNotEquals(SecretBlob.copyOf(new byte[] {1}), SecretBlob.copyOf(new byte[] {2}));
  }

  @Test
  void copyOf_null_fails() {
    assertThrows(IllegalArgumentException.class, () -> SecretBlob.copyOf(null));
  }
}
