package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AesGcmKey;
import io.spacepanda.Storages;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.NodeKeyKind;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageContractTest;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.WrongPassphraseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the storage contract against {@link SqliteStorage}, plus its on-disk guarantees. */
class SqliteStorageTest extends StorageContractTest {

  /** Cheap Argon2id parameters so that tests of passphrase handling stay fast. */
  private static final KeysetFile.KdfParams CHEAP_KDF = new KeysetFile.KdfParams(256, 1, 1);

  private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

  @TempDir Path tempDir;

  private Path dataDir() {
    return tempDir.resolve("node");
  }

  @Override
  protected Storage newStorage() throws StorageException {
    return Storages.sqlite(dataDir());
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected Storage reopen() throws StorageException {
    return Storages.sqlite(dataDir());
  }

  private static Storage openWithPassphrase(Path dir, char[] passphrase) throws StorageException {
    return SqliteStorage.open(dir, passphrase, CHEAP_KDF, new SecureRandom());
  }

  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
        files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void assertNoFileContains(Path dir, byte[] secret, String what) throws IOException {
    for (Map.Entry<String, byte[]> file : snapshot(dir).entrySet()) {
      assertFalse(contains(file.getValue(), secret), what + " found in " + file.getKey());
    }
  }

  @Test
  void open_withPassphrase_noFileHoldsBodiesOrKeys() throws Exception {
    Path dir = tempDir.resolve("secret-node");
    Random random = new Random(11);
    List<byte[]> bodies = new ArrayList<>();
    byte[] identityKey = new byte[32];
    random.nextBytes(identityKey);
    byte[] groupState = new byte[4096];
    random.nextBytes(groupState);
    byte[] outboxPayload = "outbox payload that must not leak".getBytes(StandardCharsets.UTF_8);
    Storage store = Storages.sqlite(dir, PASSPHRASE.clone());
    try {
      store.inTransaction(
          t -> {
            for (int i = 0; i < 50; i++) {
              byte[] body = ("message body number " + i + " with some text").getBytes(
                  StandardCharsets.UTF_8);
              bodies.add(body);
              t.insertMessage(
                  new StoredMessage(messageId(i), id("ch", 16), id("alice", 38), i, i, 1, body,
                      T0, DeliveryState.RECEIVED));
            }
            t.putNodeKey(NodeKeyKind.IDENTITY, SecretBlob.copyOf(identityKey));
            t.putGroupState(id("ch", 16), SecretBlob.copyOf(groupState));
            t.enqueueOutbox(new OutboxEntry(id("e", 8), id("bob", 38), outboxPayload, T0, 0));
            return null;
          });
      // Scan while open, so the WAL and shared-memory files hold the fresh commits.
      assertTrue(Files.size(dir.resolve(StoreConstants.DATABASE_FILE + "-wal")) > 0);
      assertFilesHoldNoSecrets(dir, bodies, identityKey, groupState, outboxPayload);
    } finally {
      store.close();
    }
    assertFilesHoldNoSecrets(dir, bodies, identityKey, groupState, outboxPayload);

    KeysetHandle keyset =
        KeysetFile.decode(Files.readAllBytes(dir.resolve(StoreConstants.KEYSET_FILE)))
            .open(PASSPHRASE.clone());
    byte[] aesKey =
        ((AesGcmKey) keyset.getAt(0).getKey())
            .getKeyBytes()
            .toByteArray(InsecureSecretKeyAccess.get());
    assertNoFileContains(dir, aesKey, "at-rest AES key");
  }

  private static void assertFilesHoldNoSecrets(
      Path dir, List<byte[]> bodies, byte[] identityKey, byte[] groupState, byte[] outbox)
      throws IOException {
    assertTrue(Files.exists(dir.resolve(StoreConstants.DATABASE_FILE)));
    assertTrue(Files.exists(dir.resolve(StoreConstants.KEYSET_FILE)));
    for (byte[] body : bodies) {
      assertNoFileContains(dir, body, "message body");
    }
    assertNoFileContains(dir, "message body number".getBytes(StandardCharsets.UTF_8), "body text");
    assertNoFileContains(dir, identityKey, "identity key");
    assertNoFileContains(dir, java.util.Arrays.copyOf(groupState, 32), "group state");
    assertNoFileContains(dir, outbox, "outbox payload");
  }

  @Test
  void close_flushesWal_databaseFileAloneHoldsData() throws Exception {
    storage.inTransaction(t -> t.insertMessage(message(1, id("ch", 16), id("a", 38), 1, 1, "x")));
    storage.close();
    Path copy = tempDir.resolve("copy");
    Files.createDirectories(copy);
    for (String name : List.of(StoreConstants.DATABASE_FILE, StoreConstants.KEYSET_FILE)) {
      Files.copy(dataDir().resolve(name), copy.resolve(name));
    }
    try (Storage copied = Storages.sqlite(copy)) {
      assertTrue(copied.inTransaction(t -> t.message(messageId(1))).isPresent());
    }
  }

  @Test
  void open_wrongPassphrase_refusedAndNothingOnDiskChanged() throws Exception {
    Path dir = tempDir.resolve("locked");
    try (Storage store = openWithPassphrase(dir, PASSPHRASE.clone())) {
      store.inTransaction(t -> t.insertMessage(message(1, id("ch", 16), id("a", 38), 1, 1, "x")));
    }
    Map<String, byte[]> before = snapshot(dir);

    assertThrows(
        WrongPassphraseException.class,
        () -> openWithPassphrase(dir, "not the passphrase".toCharArray()));
    assertThrows(WrongPassphraseException.class, () -> Storages.sqlite(dir));

    Map<String, byte[]> after = snapshot(dir);
    assertEquals(before.keySet(), after.keySet());
    for (String name : before.keySet()) {
      assertArrayEquals(before.get(name), after.get(name), name + " changed");
    }
    try (Storage store = openWithPassphrase(dir, PASSPHRASE.clone())) {
      assertTrue(store.inTransaction(t -> t.message(messageId(1))).isPresent());
    }
  }

  @Test
  void open_passphraseOnStoreCreatedWithout_refused() throws Exception {
    Path dir = tempDir.resolve("plain");
    Storages.sqlite(dir).close();
    assertThrows(WrongPassphraseException.class, () -> openWithPassphrase(dir, PASSPHRASE));
  }

  @Test
  void open_directoryAlreadyOpen_refusedUntilClosed() throws Exception {
    StorageException e = assertThrows(StorageException.class, () -> Storages.sqlite(dataDir()));
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    storage.close();
    storage = reopen();
    assertTrue(storage.inTransaction(t -> t.spaces()).isEmpty());
  }

  @Test
  void open_newDirectoryFromTwoThreads_oneKeysetAndDataReadableAfterwards() throws Exception {
    Path dir = tempDir.resolve("race");
    List<Storage> opened =
        runConcurrently(
            2,
            i -> {
              try {
                return Storages.sqlite(dir);
              } catch (StorageException e) {
                return null;
              }
            });
    int winners = 0;
    for (Storage s : opened) {
      if (s != null) {
        winners++;
        s.inTransaction(t -> t.insertMessage(message(1, id("ch", 16), id("a", 38), 1, 1, "x")));
        s.close();
      }
    }
    assertEquals(1, winners);
    try (Storage again = Storages.sqlite(dir)) {
      assertTrue(again.inTransaction(t -> t.message(messageId(1))).isPresent());
    }
  }

  @Test
  void open_newDirectory_keysetAndDirectoryOwnerOnly() throws Exception {
    Path dir = dataDir();
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve(StoreConstants.KEYSET_FILE))));
  }

  @Test
  void open_emptyPassphrase_fails() {
    assertThrows(
        IllegalArgumentException.class, () -> Storages.sqlite(tempDir.resolve("x"), new char[0]));
    assertThrows(IllegalArgumentException.class, () -> Storages.sqlite(null));
  }

  @Test
  void open_emptyDirectory_migratesToLatestSchema() throws Exception {
    Path dir = tempDir.resolve("a").resolve("b");
    Storages.sqlite(dir).close();
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
      assertTrue(rs.next());
      assertEquals(SchemaMigrations.LATEST, rs.getInt(1));
    }
    try (Storage store = Storages.sqlite(dir)) {
      assertEquals(List.of(), store.inTransaction(t -> t.spaces()));
    }
  }

  @Test
  void open_version1Database_outboxGetsEnqueueTimeAndQueuedCopiesPendingStates()
      throws Exception {
    Path dir = tempDir.resolve("v1");
    Id message = Id.of(new byte[32]);
    Id bob = id("bob", 38);
    Id carol = id("carol", 38);
    java.time.Instant at = T0.plusSeconds(40);
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        t.insertMessage(new StoredMessage(message, id("ch", 16), id("me", 38), 1, 1, 1,
            new byte[] {1}, T0, DeliveryState.SENT));
        t.enqueueOutbox(new OutboxEntry(message, bob, new byte[] {1}, at, 3, T0));
        t.enqueueOutbox(new OutboxEntry(id("commit", 32), carol, new byte[] {2}, at, 0, T0));
        return null;
      });
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE blind_key");
      st.executeUpdate("DROP TABLE sync_envelope");
      st.executeUpdate("DROP TABLE mailbox");
      st.executeUpdate("DROP TABLE recipient_state");
      st.executeUpdate("ALTER TABLE outbox DROP COLUMN enqueued_ms");
      st.executeUpdate("UPDATE schema_version SET version = 1");
    }
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        assertEquals(List.of(new OutboxEntry(message, bob, new byte[] {1}, at, 3, at),
            new OutboxEntry(id("commit", 32), carol, new byte[] {2}, at, 0, at)).stream()
                .sorted(java.util.Comparator.comparing(OutboxEntry::envelopeId)).toList(),
            t.dueOutbox(at, 10));
        assertEquals(Map.of(bob, RecipientState.PENDING), t.recipientStates(message));
        assertEquals(Map.of(), t.recipientStates(id("commit", 32)));
        return null;
      });
    }
  }

  @Test
  void open_version3Database_keepsSyncEnvelopesAndGainsMailboxes() throws Exception {
    Path dir = tempDir.resolve("v3");
    Id channel = id("ch", 16);
    Id alice = id("alice", 38);
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        for (int i = 0; i < 3; i++) {
          t.putSyncEnvelope(new io.spacepanda.spi.SyncEnvelope(channel, alice, i, 0,
              new byte[] {(byte) i}));
        }
        return null;
      });
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE mailbox");
      st.executeUpdate("ALTER TABLE sync_envelope DROP COLUMN tomb");
      // as schema 3 wrote it: the channel id in clear, no blinding key (steps 4 and 5 redo them)
      try (java.sql.PreparedStatement ps = c.prepareStatement(
          "UPDATE sync_envelope SET channel_id = ?")) {
        ps.setBytes(1, channel.toBytes());
        ps.executeUpdate();
      }
      st.executeUpdate("DROP TABLE blind_key");
      st.executeUpdate("UPDATE schema_version SET version = 3");
    }
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        assertEquals(Map.of(alice, 2L), t.highWaterMarks(channel));
        assertEquals(2, t.pruneSyncEnvelopes(channel, 1));
        assertEquals(Map.of(alice, 2L), t.highWaterMarks(channel));
        assertTrue(t.putMailboxEnvelope(new io.spacepanda.spi.MailboxEnvelope(alice,
            id("env", 32), channel, new byte[] {7}, T0)));
        assertEquals(1, t.mailboxCount(alice));
        return null;
      });
    }
  }

  @Test
  void open_version6Database_gainsThePersistedAddressBook() throws Exception {
    Path dir = tempDir.resolve("v6");
    Id alice = id("alice", 38);
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        t.putSyncEnvelope(new io.spacepanda.spi.SyncEnvelope(id("ch", 16), alice, 0, 0,
            new byte[] {1}));
        return null;
      });
    }
    SqliteStorageTestSupport.undoStep10(dir); // as schema step 9 wrote it
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE known_peer");
      st.executeUpdate("UPDATE schema_version SET version = 6");
    }
    io.spacepanda.spi.KnownPeer p = new io.spacepanda.spi.KnownPeer(alice,
        List.of("/ip4/127.0.0.1/tcp/1"), new byte[0], true, T0);
    try (Storage store = Storages.sqlite(dir)) {
      store.<Void, RuntimeException>inTransaction(t -> {
        assertEquals(Map.of(alice, 0L), t.highWaterMarks(id("ch", 16)));
        assertEquals(List.of(), t.knownPeers());
        assertTrue(t.replaceKnownPeers(List.of(p)));
        return null;
      });
    }
    try (Storage store = Storages.sqlite(dir)) {
      assertEquals(List.of(p), store.inTransaction(t -> t.knownPeers()));
    }
  }

  @Test
  void open_newerSchemaVersion_refusedAndLeftAsIs() throws Exception {
    Path dir = tempDir.resolve("future");
    Storages.sqlite(dir).close();
    int future = SchemaMigrations.LATEST + 1;
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE schema_version SET version = " + future);
    }
    StorageException e = assertThrows(StorageException.class, () -> Storages.sqlite(dir));
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
    try (Connection c = rawConnection(dir);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
      assertTrue(rs.next());
      assertEquals(future, rs.getInt(1));
    }
  }

  @Test
  void open_keysetFileMissing_refused() throws Exception {
    Path dir = tempDir.resolve("lost-key");
    Storages.sqlite(dir).close();
    Files.delete(dir.resolve(StoreConstants.KEYSET_FILE));
    StorageException e = assertThrows(StorageException.class, () -> Storages.sqlite(dir));
    assertTrue(e.getMessage().contains("keyset"), e.getMessage());
    assertFalse(Files.exists(dir.resolve(StoreConstants.KEYSET_FILE)));
  }

  @Test
  void open_keysetFileGarbage_refused() throws Exception {
    Path dir = tempDir.resolve("garbage");
    Storages.sqlite(dir).close();
    Files.write(dir.resolve(StoreConstants.KEYSET_FILE), new byte[] {1, 2, 3});
    assertThrows(StorageException.class, () -> Storages.sqlite(dir));
  }

  @Test
  void syncEnvelope_encryptedAtRest_movedCiphertextFailsAuthentication() throws Exception {
    Id channel = id("ch", 16);
    Id sender = id("a", 38);
    byte[] secret = "sync-plaintext-marker".getBytes(StandardCharsets.UTF_8);
    storage.inTransaction(t -> {
      t.putSyncEnvelope(new io.spacepanda.spi.SyncEnvelope(channel, sender, 0, 1, secret));
      t.putSyncEnvelope(new io.spacepanda.spi.SyncEnvelope(channel, sender, 1, 1, secret));
      return null;
    });
    storage.close();
    try (Connection c = rawConnection(dataDir());
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT mls_ct FROM sync_envelope WHERE seq = 0")) {
        assertTrue(rs.next());
        assertFalse(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1)
            .contains("sync-plaintext-marker"));
      }
      st.executeUpdate("UPDATE sync_envelope SET mls_ct = (SELECT mls_ct FROM sync_envelope"
          + " WHERE seq = 0) WHERE seq = 1");
    }
    storage = reopen();
    assertArrayEquals(secret, storage.inTransaction(t -> t.syncEnvelopes(channel, sender, 0, 1))
        .get(0).mlsMessage());
    StorageException e = assertThrows(StorageException.class,
        () -> storage.inTransaction(t -> t.syncEnvelopes(channel, sender, 1, 1)));
    assertEquals("stored data failed authentication", e.getMessage());
  }

  @Test
  void read_ciphertextMovedToAnotherRow_failsAuthentication() throws Exception {
    Id channel = id("ch", 16);
    storage.inTransaction(
        t -> {
          t.insertMessage(message(1, channel, id("a", 38), 1, 1, "one"));
          t.insertMessage(message(2, channel, id("a", 38), 2, 2, "two"));
          return null;
        });
    storage.close();
    try (Connection c = rawConnection(dataDir());
        Statement st = c.createStatement()) {
      st.executeUpdate(
          "UPDATE message SET body_ct = (SELECT body_ct FROM message WHERE lamport = 1)"
              + " WHERE lamport = 2");
    }
    storage = reopen();
    assertEquals("one", new String(
        storage.inTransaction(t -> t.message(messageId(1))).orElseThrow().body(),
        StandardCharsets.UTF_8));
    StorageException e =
        assertThrows(StorageException.class, () -> storage.inTransaction(t -> t.message(
            messageId(2))));
    assertEquals("stored data failed authentication", e.getMessage());
  }

  @Test
  void read_unknownDeliveryStateOnDisk_typedFailure() throws Exception {
    storage.inTransaction(t -> t.insertMessage(message(1, id("ch", 16), id("a", 38), 1, 1, "x")));
    storage.close();
    try (Connection c = rawConnection(dataDir());
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE message SET delivery = 99");
    }
    storage = reopen();
    assertThrows(StorageException.class, () -> storage.inTransaction(t -> t.message(messageId(1))));
  }

  private static Connection rawConnection(Path dir) throws Exception {
    return DriverManager.getConnection(
        "jdbc:sqlite:" + dir.resolve(StoreConstants.DATABASE_FILE).toAbsolutePath());
  }
}
