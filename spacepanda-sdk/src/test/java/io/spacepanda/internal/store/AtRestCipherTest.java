package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.spi.Id;
import io.spacepanda.spi.StorageException;
import org.junit.jupiter.api.Test;

class AtRestCipherTest {

  private final AtRestCipher cipher = newCipher();

  private static AtRestCipher newCipher() {
    try {
      return new AtRestCipher(KeysetFile.generateKeyset());
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void open_sameTableColumnRow_roundTrips() throws Exception {
    byte[] ct = cipher.seal(new byte[] {1, 2, 3}, "message", "body_ct", Id.ofHex("01"));
    assertArrayEquals(
        new byte[] {1, 2, 3}, cipher.open(ct, "message", "body_ct", Id.ofHex("01")));
  }

  @Test
  void open_otherRowTableOrColumn_failsWithOneMessage() throws Exception {
    byte[] ct = cipher.seal(new byte[] {1, 2, 3}, "outbox", "payload_ct", Id.ofHex("01"),
        Id.ofHex("02"));
    for (Runnable attempt :
        new Runnable[] {
          () -> open(ct, "outbox", "payload_ct", Id.ofHex("01"), Id.ofHex("03")),
          () -> open(ct, "outbox", "payload_ct", Id.ofHex("0102")),
          () -> open(ct, "message", "payload_ct", Id.ofHex("01"), Id.ofHex("02")),
          () -> open(ct, "outbox", "body_ct", Id.ofHex("01"), Id.ofHex("02")),
        }) {
      attempt.run();
    }
  }

  private void open(byte[] ct, String table, String column, Id... key) {
    StorageException e =
        assertThrows(StorageException.class, () -> cipher.open(ct, table, column, key));
    assertEquals("stored data failed authentication", e.getMessage());
  }

  @Test
  void open_otherKeyset_fails() throws Exception {
    byte[] ct = cipher.seal(new byte[] {1}, "message", "body_ct", Id.ofHex("01"));
    assertThrows(
        StorageException.class, () -> newCipher().open(ct, "message", "body_ct", Id.ofHex("01")));
  }
}
