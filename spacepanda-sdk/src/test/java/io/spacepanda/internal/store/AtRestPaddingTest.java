package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Storages;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, at rest: stored message bodies and kept MLS messages are padded to size buckets, so
 * a thief of the files learns a bucket, not a length; a database written before (schema 3,
 * unpadded) opens with every body intact and is re-sealed padded by migration step 4.
 */
class AtRestPaddingTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  /** Tink's 5-byte key prefix, the 12-byte nonce and the 16-byte tag. */
  private static final int OVERHEAD = 33;

  @TempDir Path tempDir;

  private static Id id(int i, int length) {
    byte[] b = new byte[length];
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    return Id.of(b);
  }

  private static Connection raw(Path dir) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConstants.DATABASE_FILE));
  }

  private static Set<Integer> bucketLengths() {
    Set<Integer> out = new TreeSet<>();
    for (int b : AtRestCipher.BUCKETS) {
      out.add(4 + b + OVERHEAD);
    }
    return out;
  }

  @Test
  void open_schema3DatabaseWithUnpaddedBodies_everyBodyReadsTheSameAndIsRepadded() throws Exception {
    Path dir = tempDir.resolve("v3");
    Id channel = id(7, 16);
    Id sender = id(8, 38);
    Map<Id, byte[]> bodies = new LinkedHashMap<>();
    int[] sizes = {0, 1, 2, 200, 251, 252, 253, 1000, 5000, 70_000};
    for (int i = 0; i < sizes.length; i++) {
      byte[] body = new byte[sizes[i]];
      java.util.Arrays.fill(body, (byte) ('a' + i));
      bodies.put(id(100 + i, 32), body);
    }
    byte[] kept = "an MLS message kept for sync".getBytes();
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        int seq = 0;
        for (Map.Entry<Id, byte[]> e : bodies.entrySet()) {
          t.insertMessage(new StoredMessage(e.getKey(), channel, sender, ++seq, seq, 1, e.getValue(),
              T0, DeliveryState.RECEIVED));
        }
        t.putSyncEnvelope(new SyncEnvelope(channel, sender, 1, 0, kept));
        return null;
      });
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    // rewrite it as the SDK before this change wrote it: unpadded blobs, schema version 3
    AtRestCipher cipher = new AtRestCipher(KeysetFile.decode(
        Files.readAllBytes(dir.resolve(StoreConstants.KEYSET_FILE))).open(null));
    try (Connection c = raw(dir);
        PreparedStatement up = c.prepareStatement("UPDATE message SET body_ct = ? WHERE message_id = ?");
        Statement st = c.createStatement()) {
      for (Map.Entry<Id, byte[]> e : bodies.entrySet()) {
        up.setBytes(1, cipher.seal(e.getValue(), "message", "body_ct", e.getKey()));
        up.setBytes(2, e.getKey().toBytes());
        up.executeUpdate();
      }
      try (PreparedStatement s2 = c.prepareStatement("UPDATE sync_envelope SET mls_ct = ?")) {
        s2.setBytes(1, cipher.seal(kept, "sync_envelope", "mls_ct", channel, sender,
            Id.of(java.nio.ByteBuffer.allocate(8).putLong(1).array())));
        s2.executeUpdate();
      }
      // and the ids it now blinds in clear, without the blinding key
      try (PreparedStatement s3 = c.prepareStatement("UPDATE sync_envelope SET channel_id = ?")) {
        s3.setBytes(1, channel.toBytes());
        s3.executeUpdate();
      }
      st.executeUpdate("DROP TABLE blind_key");
      // and without what schema step 6 added (sync tombstones, mailboxes)
      st.executeUpdate("DROP TABLE mailbox");
      st.executeUpdate("ALTER TABLE sync_envelope DROP COLUMN tomb");
      st.executeUpdate("UPDATE schema_version SET version = 3");
    }
    assertEquals(sizes.length, lengths(dir).size(), "before: every length shows");

    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        for (Map.Entry<Id, byte[]> e : bodies.entrySet()) {
          assertArrayEquals(e.getValue(), t.message(e.getKey()).orElseThrow().body());
        }
        assertEquals(sizes.length, t.history(channel, null, 100).size());
        assertArrayEquals(kept, t.syncEnvelopes(channel, sender, 0, 10).get(0).mlsMessage());
        return null;
      });
    }
    List<Integer> after = new ArrayList<>(lengths(dir));
    assertTrue(bucketLengths().containsAll(after.subList(0, after.size() - 1)), "after: " + after);
    assertEquals(4 + 2 * 65536 + OVERHEAD, after.get(after.size() - 1),
        "70,000 bytes: two 64 KiB units and the length prefix");
    try (Connection c = raw(dir); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version, (SELECT length(mls_ct) FROM sync_envelope)"
            + " FROM schema_version")) {
      assertTrue(rs.next());
      assertEquals(SchemaMigrations.LATEST, rs.getInt(1));
      assertEquals(4 + 256 + OVERHEAD, rs.getInt(2));
    }
  }

  private static Set<Integer> lengths(Path dir) throws Exception {
    Set<Integer> out = new TreeSet<>();
    try (Connection c = raw(dir); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT length(body_ct) FROM message")) {
      while (rs.next()) {
        out.add(rs.getInt(1));
      }
    }
    return out;
  }

  /**
   * A blob exactly one bucket long (an envelope, already padded to these sizes on the wire) stays
   * in that bucket: the length prefix comes on top, it does not push the blob into the next one.
   */
  @Test
  void sealPadded_blobOfExactlyABucket_staysInThatBucket() throws Exception {
    AtRestCipher cipher = new AtRestCipher(KeysetFile.generateKeyset());
    for (int b : AtRestCipher.BUCKETS) {
      byte[] ct = cipher.sealPadded(new byte[b], "mailbox", "envelope_ct", id(b, 32));
      assertEquals(4 + b + OVERHEAD, ct.length, "a blob of " + b + " bytes");
      byte[] over = cipher.sealPadded(new byte[b + 1], "mailbox", "envelope_ct", id(b, 32));
      assertTrue(over.length > ct.length, "one byte more moves to the next bucket");
    }
  }

  /** Padded blobs round-trip, reveal only their bucket, and never open under another place. */
  @Property(tries = 100)
  void sealPadded_roundTripAndBucketOnly(@ForAll @IntRange(min = 0, max = 140_000) int size)
      throws Exception {
    AtRestCipher cipher = new AtRestCipher(KeysetFile.generateKeyset());
    byte[] body = new byte[size];
    new java.util.Random(size).nextBytes(body);
    Id key = id(size, 32);
    byte[] ct = cipher.sealPadded(body, "message", "body_ct", key);
    assertArrayEquals(body, cipher.openPadded(ct, "message", "body_ct", key));
    assertEquals(4 + AtRestCipher.bucket(size) + OVERHEAD, ct.length);
    org.junit.jupiter.api.Assertions.assertThrows(io.spacepanda.spi.StorageException.class,
        () -> cipher.openPadded(ct, "message", "body_ct", id(size + 1, 32)));
  }
}
