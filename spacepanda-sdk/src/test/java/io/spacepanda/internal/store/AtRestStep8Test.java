package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Storages;
import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, at rest, schema step 8: names, space operations, outbox copies, held and mailbox
 * envelopes and group states are padded to size buckets; space operations' space id and mailbox
 * envelopes' recipient are blinded. A database as schema 6 wrote it (no step 7 either: reserved for
 * another change) is migrated with nothing lost, and afterwards no file holds those ids.
 */
class AtRestStep8Test {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  /** Tink's 5-byte key prefix, the 12-byte nonce and the 16-byte tag. */
  private static final int OVERHEAD = 33;

  @TempDir Path tempDir;

  private static Id id(String label, int length) {
    byte[] b = new byte[length];
    byte[] l = label.getBytes();
    System.arraycopy(l, 0, b, 0, Math.min(l.length, length));
    for (int i = l.length; i < length; i++) {
      b[i] = (byte) (0x3c ^ i);
    }
    return Id.of(b);
  }

  private final Id space = id("space-id", 32);
  private final Id channel = id("channel-id", 32);
  private final Id owner = id("owner-peer", 38);
  private final Id op = id("op-id", 32);
  private final Id envelope = id("envelope-id", 32);
  private final Id recipient = id("recipient-peer", 38);
  /** The mailbox's recipient; not the outbox's, whose recipient column stays in clear. */
  private final Id boxRecipient = id("absent-member", 38);
  private final Id group = id("group-id", 32);
  private final byte[] opPayload = "an operation of 37 bytes, unpadded..".getBytes();
  private final byte[] outboxPayload = new byte[300];
  private final byte[] held = new byte[1500];
  private final byte[] boxed = new byte[5000];

  private void write(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      t.putSpace(new SpaceRecord(space, "team", owner, T0));
      t.putChannel(new ChannelRecord(channel, space, "general", 1, owner, T0));
      t.appendSpaceOperation(new SpaceOperation(op, space, 1, owner, opPayload));
      t.enqueueOutbox(new OutboxEntry(envelope, recipient, outboxPayload, T0, 0, T0));
      t.addPendingEnvelope(new PendingEnvelope(envelope, held, T0));
      t.putMailboxEnvelope(new MailboxEnvelope(boxRecipient, envelope, space, boxed, T0));
      t.putGroupState(group, SecretBlob.copyOf(new byte[] {9, 9, 9}));
      return null;
    });
  }

  private void assertReadable(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      assertEquals("team", t.space(space).orElseThrow().name());
      assertEquals("general", t.channel(channel).orElseThrow().name());
      List<SpaceOperation> ops = t.spaceOperations(space);
      assertEquals(1, ops.size());
      assertEquals(space, ops.get(0).spaceId());
      assertArrayEquals(opPayload, ops.get(0).payload());
      assertArrayEquals(outboxPayload, t.dueOutbox(T0.plusSeconds(1), 10).get(0).payload());
      assertArrayEquals(held, t.pendingEnvelopes().get(0).envelope());
      assertEquals(1, t.mailboxCount(boxRecipient));
      MailboxEnvelope m = t.mailboxEnvelopes(boxRecipient, 10).get(0);
      assertArrayEquals(boxed, m.envelope());
      assertEquals(space, m.spaceId());
      assertArrayEquals(new byte[] {9, 9, 9}, t.groupState(group).orElseThrow().revealBytes());
      return null;
    });
  }

  private static Connection raw(Path dir) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConstants.DATABASE_FILE));
  }

  private static int length(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getInt(1);
    }
  }

  private static void assertPadded(Path dir) throws Exception {
    try (Connection c = raw(dir)) {
      assertEquals(4 + 256 + OVERHEAD, length(c, "SELECT length(name_ct) FROM space"));
      assertEquals(4 + 256 + OVERHEAD, length(c, "SELECT length(name_ct) FROM channel"));
      assertEquals(4 + 256 + OVERHEAD, length(c, "SELECT length(payload_ct) FROM space_op"));
      assertEquals(4 + 1024 + OVERHEAD, length(c, "SELECT length(payload_ct) FROM outbox"));
      assertEquals(4 + 4096 + OVERHEAD, length(c, "SELECT length(envelope_ct) FROM pending_envelope"));
      assertEquals(4 + 16384 + OVERHEAD, length(c, "SELECT length(envelope_ct) FROM mailbox"));
    }
  }

  private void assertNoFileHolds(Path dir, Id... ids) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        byte[] content = Files.readAllBytes(f);
        for (Id i : ids) {
          assertFalse(SqliteStorageTestSupport.contains(content, i.toBytes()),
              f.getFileName() + " holds an id that should be blinded");
        }
      }
    }
  }

  @Test
  void newStore_blobsPaddedAndIdsBlinded_everythingReadable() throws Exception {
    Path dir = tempDir.resolve("new");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
      assertReadable(store);
    }
    assertPadded(dir);
    try (Connection c = raw(dir)) {
      assertEquals(4 + 256 + OVERHEAD, length(c, "SELECT length(state_ct) FROM group_state"));
    }
    assertNoFileHolds(dir, boxRecipient, group);
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
      store.<Void, RuntimeException>inTransaction(t -> {
        assertTrue(t.deleteMailboxEnvelope(boxRecipient, envelope));
        assertTrue(t.deleteSpace(space));
        assertEquals(List.of(), t.spaceOperations(space));
        return null;
      });
    }
  }

  @Test
  void open_schema6Database_unpaddedAndInClear_migratedWithNothingLost() throws Exception {
    Path dir = tempDir.resolve("v6");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    // rewrite it as schema 6 wrote it: those blobs unpadded, those two ids in clear
    AtRestCipher cipher = new AtRestCipher(KeysetFile.decode(
        Files.readAllBytes(dir.resolve(StoreConstants.KEYSET_FILE))).open(null));
    try (Connection c = raw(dir); Statement st = c.createStatement()) {
      Object[][] rows = {
          {"UPDATE space SET name_ct = ?", cipher.seal("team".getBytes(), "space", "name_ct", space)},
          {"UPDATE channel SET name_ct = ?",
              cipher.seal("general".getBytes(), "channel", "name_ct", channel)},
          {"UPDATE space_op SET payload_ct = ?, space_id = X'" + space.toString() + "'",
              cipher.seal(opPayload, "space_op", "payload_ct", op)},
          {"UPDATE outbox SET payload_ct = ?",
              cipher.seal(outboxPayload, "outbox", "payload_ct", envelope, recipient)},
          {"UPDATE pending_envelope SET envelope_ct = ?",
              cipher.seal(held, "pending_envelope", "envelope_ct", envelope)},
          {"UPDATE mailbox SET envelope_ct = ?, recipient = X'" + boxRecipient.toString() + "'",
              cipher.seal(boxed, "mailbox", "envelope_ct", boxRecipient, envelope)},
          {"UPDATE group_state SET state_ct = ?",
              cipher.seal(new byte[] {9, 9, 9}, "group_state", "state_ct", group)}};
      for (Object[] r : rows) {
        try (PreparedStatement ps = c.prepareStatement((String) r[0])) {
          ps.setBytes(1, (byte[]) r[1]);
          assertEquals(1, ps.executeUpdate(), (String) r[0]);
        }
      }
      st.executeUpdate("UPDATE schema_version SET version = 6");
      assertEquals(4 + OVERHEAD, length(c, "SELECT length(name_ct) FROM space"));
    }
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
    }
    assertPadded(dir);
    assertNoFileHolds(dir, boxRecipient);
    try (Connection c = raw(dir)) {
      assertEquals(SchemaMigrations.LATEST, length(c, "SELECT version FROM schema_version"));
    }
    // a group state is padded when next written (its blob is bound to an id already blinded)
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        t.putGroupState(group, SecretBlob.copyOf(new byte[] {9, 9, 9}));
        return null;
      });
    }
    try (Connection c = raw(dir)) {
      assertEquals(4 + 256 + OVERHEAD, length(c, "SELECT length(state_ct) FROM group_state"));
    }
  }
}
