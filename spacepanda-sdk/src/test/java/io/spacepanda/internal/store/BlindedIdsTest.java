package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Storages;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.SyncEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, at rest: ids the store only looks rows up by are blinded (keyed hash under a key
 * sealed by the storage keyset); a database written before (schema 4, ids in clear) is migrated
 * with nothing lost, and afterwards no file holds those ids.
 */
class BlindedIdsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path tempDir;

  private static Id id(String label) {
    byte[] b = new byte[32];
    byte[] l = label.getBytes();
    System.arraycopy(l, 0, b, 0, Math.min(l.length, 32));
    for (int i = l.length; i < 32; i++) {
      b[i] = (byte) (0x5a ^ i);
    }
    return Id.of(b);
  }

  private static Connection raw(Path dir) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConstants.DATABASE_FILE));
  }

  private final Id group = id("group");
  private final Id ref = id("keypackage-ref");
  private final Id invite = id("invite-secret-hash");
  private final Id channel = id("channel");
  private final Id message = id("message");
  private final Id sender = id("sender");
  private final Id bob = id("bob");

  private void write(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      t.putGroupState(group, SecretBlob.copyOf(new byte[] {1, 2, 3}));
      t.putKeyPackage(ref, SecretBlob.copyOf(new byte[] {4}));
      t.putInvite(new Invite(invite, T0.plusSeconds(60), false));
      t.putSyncEnvelope(new SyncEnvelope(channel, sender, 0, 0, new byte[] {5}));
      t.putRecipientState(message, bob, RecipientState.PENDING);
      return null;
    });
  }

  private void assertReadable(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      assertArrayEquals(new byte[] {1, 2, 3}, t.groupState(group).orElseThrow().revealBytes());
      assertArrayEquals(new byte[] {4}, t.keyPackage(ref).orElseThrow().revealBytes());
      assertFalse(t.invite(invite).orElseThrow().used());
      assertArrayEquals(new byte[] {5}, t.syncEnvelopes(channel, sender, 0, 10).get(0).mlsMessage());
      assertEquals(Map.of(sender, 0L), t.highWaterMarks(channel));
      assertEquals(Map.of(bob, RecipientState.PENDING), t.recipientStates(message));
      return null;
    });
  }

  private void assertNoFileHolds(Path dir, Id... ids) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        byte[] content = Files.readAllBytes(f);
        for (Id id : ids) {
          assertFalse(SqliteStorageTestSupport.contains(content, id.toBytes()),
              f.getFileName() + " holds an id that should be blinded");
        }
      }
    }
  }

  @Test
  void newStore_lookupOnlyIdsBlinded_everythingReadable() throws Exception {
    Path dir = tempDir.resolve("new");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
      assertReadable(store);
    }
    assertNoFileHolds(dir, group, ref, invite, channel, message);
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
      store.<Void, RuntimeException>inTransaction(t -> {
        assertTrue(t.deleteGroupState(group));
        assertTrue(t.deleteKeyPackage(ref));
        assertEquals(1, t.deleteRecipientStates(message));
        return null;
      });
    }
  }

  @Test
  void open_schema4DatabaseWithIdsInClear_blindedWithNothingLost() throws Exception {
    Path dir = tempDir.resolve("v4");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    // rewrite it as schema 4 wrote it: the ids in clear, no blinding key
    try (Connection c = raw(dir); Statement st = c.createStatement()) {
      Object[][] clear = {{"group_state", "group_id", group}, {"key_package", "ref", ref},
          {"invite", "secret_hash", invite}, {"sync_envelope", "channel_id", channel},
          {"recipient_state", "message_id", message}};
      for (Object[] row : clear) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + row[0] + " SET " + row[1] + " = ?")) {
          ps.setBytes(1, ((Id) row[2]).toBytes());
          assertEquals(1, ps.executeUpdate());
        }
      }
      st.executeUpdate("DROP TABLE blind_key");
      // and without what schema step 6 added (sync tombstones, mailboxes)
      st.executeUpdate("DROP TABLE mailbox");
      st.executeUpdate("ALTER TABLE sync_envelope DROP COLUMN tomb");
      st.executeUpdate("UPDATE schema_version SET version = 4");
    }
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
    }
    assertNoFileHolds(dir, group, ref, invite, channel, message);
  }
}
