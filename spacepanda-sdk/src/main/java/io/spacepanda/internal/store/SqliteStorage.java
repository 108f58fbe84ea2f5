package io.spacepanda.internal.store;

import com.google.crypto.tink.KeysetHandle;
import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.HistoryCursor;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.InviteRedemption;
import io.spacepanda.spi.KnownPeer;
import io.spacepanda.spi.NodeKeyKind;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.NodeRecord;
import io.spacepanda.spi.SyncEnvelope;
import io.spacepanda.spi.RecipientCounts;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.TransactionWork;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded {@link Storage}: one SQLite database in a data directory, with message content and
 * secrets encrypted at rest.
 *
 * <p>Design. One connection does all reads and writes, guarded by one lock, so transactions run
 * one at a time and see each other's effects in commit order; the caller batches work by putting
 * many operations in one transaction. Prepared statements are created once per SQL text and
 * reused. The schema comes from {@link SchemaMigrations}.
 *
 * <p>Durability: the database runs in WAL mode with {@code synchronous=FULL}, so the WAL is
 * fsynced at every commit and a transaction that {@link #inTransaction} reported committed
 * survives a crash or power loss. ({@code NORMAL} would be faster but may lose the last
 * transactions on power loss, which breaks "nothing is acknowledged before it is durable".) {@link
 * #close()} checkpoints the WAL into the database file and truncates it.
 *
 * <p>Encryption at rest. Message bodies, group states, node keys, key package material, outbox
 * payloads, pending envelopes, space operation payloads and space and channel names are encrypted
 * with the AEAD of a Tink AES-256-GCM keyset, bound to their table, column and row key (see {@link
 * AtRestCipher}). The keyset lives in {@value StoreConstants#KEYSET_FILE} next to the database
 * (see {@link KeysetFile}): encrypted under an Argon2id key from the passphrase when one is given;
 * otherwise in cleartext, which protects data that leaves without the keyset file (a copy of the
 * database or its WAL, a backup of the database alone, freed disk pages) but not a copy of the
 * whole directory. Stored blobs are padded to size buckets; lookup-only ids are blinded (see
 * {@link Blinder}); the other ids of a row are sealed in its {@code ids_ct} (see {@link
 * RowIds}), so no id is in clear; deleted content is zeroed ({@code secure_delete}). Lamport
 * clocks, sequence numbers, times, content types, delivery and recipient states and channel kinds
 * are stored in cleartext. Temporary tables and indices stay in memory.
 *
 * <p>Opening. The keyset is read and opened before the database is touched, so a wrong passphrase
 * changes nothing on disk. A lock on {@value StoreConstants#LOCK_FILE} keeps a second store, in
 * this process or another, from opening the same directory while this one is open. A new data
 * directory and the keyset file are created readable by their owner only, where the file system
 * has POSIX permissions. A database whose keyset file is missing is refused rather than given a
 * new key. A database from a newer SDK (higher schema version) is refused unchanged.
 *
 * <p>Thread-safe: any thread may call {@link #inTransaction}; transactions run one at a time.
 */
public final class SqliteStorage implements Storage {

  private final ReentrantLock lock = new ReentrantLock();
  private final Connection connection;
  private final AtRestCipher cipher;
  private final Blinder blinder;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final DirectoryLock dirLock;
  private boolean closed;

  private SqliteStorage(Connection connection, AtRestCipher cipher, Blinder blinder,
      DirectoryLock dirLock) {
    this.connection = connection;
    this.cipher = cipher;
    this.blinder = blinder;
    this.dirLock = dirLock;
  }

  /**
   * Opens or creates the store in a directory, with the default Argon2id cost for a new keyset.
   *
   * @param dataDir the directory; created if missing
   * @param passphrase the passphrase, or null for a cleartext keyset; not kept
   * @return the open store
   * @throws StorageException if the store cannot be opened; {@link
   *     io.spacepanda.spi.WrongPassphraseException} for a wrong or missing passphrase
   * @throws IllegalArgumentException if {@code dataDir} is null
   */
  public static SqliteStorage open(Path dataDir, char[] passphrase) throws StorageException {
    return open(dataDir, passphrase, KeysetFile.KdfParams.DEFAULT, new SecureRandom());
  }

  static SqliteStorage open(
      Path dataDir, char[] passphrase, KeysetFile.KdfParams kdf, SecureRandom random)
      throws StorageException {
    StoreArgs.need(dataDir, "dataDir");
    Path db = dataDir.resolve(StoreConstants.DATABASE_FILE);
    Path keysetPath = dataDir.resolve(StoreConstants.KEYSET_FILE);
    DirectoryLock dirLock = null;
    try {
      KeysetHandle keyset = null;
      if (!Files.exists(keysetPath)) {
        if (Files.exists(db)) {
          throw new StorageException(
              "database exists but its keyset file " + StoreConstants.KEYSET_FILE
                  + " is missing");
        }
        // A new store: take the lock first, so that two openers cannot both write a keyset.
        createPrivateDirectories(dataDir);
        dirLock = DirectoryLock.acquire(dataDir.resolve(StoreConstants.LOCK_FILE));
        if (!Files.exists(keysetPath)) {
          keyset = KeysetFile.generateKeyset();
          KeysetFile file =
              passphrase == null
                  ? KeysetFile.cleartext(keyset)
                  : KeysetFile.protect(keyset, passphrase, kdf, random);
          writeAtomically(keysetPath, file.encode());
        }
      }
      if (keyset == null) {
        // An existing store: check the passphrase before anything on disk is touched.
        keyset = KeysetFile.decode(readBounded(keysetPath)).open(passphrase);
      }
      AtRestCipher cipher = new AtRestCipher(keyset);
      if (dirLock == null) {
        dirLock = DirectoryLock.acquire(dataDir.resolve(StoreConstants.LOCK_FILE));
      }
      Connection connection = connect(db);
      Blinder blinder;
      try {
        SchemaMigrations.migrate(connection, java.util.Map.of(
            4, c -> padBodies(c, cipher),
            5, c -> Blinder.loadOrCreate(c, cipher, random).blindExistingRows(c),
            8, c -> {
              padRest(c, cipher);
              Blinder.loadOrCreate(c, cipher, random).blindExistingRows(c,
                  Blinder.COLUMNS_STEP_8);
            },
            10, c -> RowIds.sealExistingRows(c, cipher, Blinder.loadOrCreate(c, cipher, random))));
        blinder = Blinder.loadOrCreate(connection, cipher, random);
        connection.commit();
      } catch (StorageException e) {
        closeQuietly(connection, e);
        throw e;
      } catch (SQLException e) {
        StorageException se = new StorageException("cannot load the blinding key", e);
        closeQuietly(connection, se);
        throw se;
      }
      return new SqliteStorage(connection, cipher, blinder, dirLock);
    } catch (StorageException e) {
      releaseIfHeld(dirLock);
      throw e;
    } catch (IOException e) {
      releaseIfHeld(dirLock);
      throw new StorageException("cannot read or create the data directory", e);
    } catch (GeneralSecurityException e) {
      releaseIfHeld(dirLock);
      throw new StorageException("cannot create or use the at-rest keyset", e);
    } catch (RuntimeException | Error e) {
      releaseIfHeld(dirLock);
      throw e;
    }
  }

  /**
   * Migration step 4: re-seals every message body and kept MLS message padded to its size bucket,
   * in the migration's transaction; a blob that fails to open is left as it was (and fails as
   * before when read), so nothing readable is lost.
   */
  static void padBodies(Connection c, AtRestCipher cipher) throws SQLException, StorageException {
    repad(c, cipher, "SELECT rowid, body_ct, message_id FROM message WHERE rowid > ? ORDER BY rowid LIMIT 256",
        "UPDATE message SET body_ct = ? WHERE rowid = ?", "message", "body_ct",
        rs -> new Id[] {id(rs.getBytes(3))});
    repad(c, cipher, "SELECT rowid, mls_ct, channel_id, sender, seq FROM sync_envelope"
            + " WHERE rowid > ? ORDER BY rowid LIMIT 256",
        "UPDATE sync_envelope SET mls_ct = ? WHERE rowid = ?", "sync_envelope", "mls_ct",
        rs -> new Id[] {id(rs.getBytes(3)), id(rs.getBytes(4)), sequenceKey(rs.getLong(5))});
  }

  /**
   * Migration step 8: re-seals padded to its size bucket every space and channel name, space
   * operation, outbox copy, held envelope and mailbox envelope, in the migration's transaction;
   * like {@link #padBodies}, a blob that fails to open is left as it was.
   */
  static void padRest(Connection c, AtRestCipher cipher) throws SQLException, StorageException {
    String page = " WHERE rowid > ? ORDER BY rowid LIMIT 256";
    repad(c, cipher, "SELECT rowid, name_ct, space_id FROM space" + page,
        "UPDATE space SET name_ct = ? WHERE rowid = ?", "space", "name_ct",
        rs -> new Id[] {id(rs.getBytes(3))});
    repad(c, cipher, "SELECT rowid, name_ct, channel_id FROM channel" + page,
        "UPDATE channel SET name_ct = ? WHERE rowid = ?", "channel", "name_ct",
        rs -> new Id[] {id(rs.getBytes(3))});
    repad(c, cipher, "SELECT rowid, payload_ct, op_id FROM space_op" + page,
        "UPDATE space_op SET payload_ct = ? WHERE rowid = ?", "space_op", "payload_ct",
        rs -> new Id[] {id(rs.getBytes(3))});
    repad(c, cipher, "SELECT rowid, payload_ct, envelope_id, recipient FROM outbox" + page,
        "UPDATE outbox SET payload_ct = ? WHERE rowid = ?", "outbox", "payload_ct",
        rs -> new Id[] {id(rs.getBytes(3)), id(rs.getBytes(4))});
    repad(c, cipher, "SELECT rowid, envelope_ct, envelope_id FROM pending_envelope" + page,
        "UPDATE pending_envelope SET envelope_ct = ? WHERE rowid = ?", "pending_envelope",
        "envelope_ct", rs -> new Id[] {id(rs.getBytes(3))});
    repad(c, cipher, "SELECT rowid, envelope_ct, recipient, envelope_id FROM mailbox" + page,
        "UPDATE mailbox SET envelope_ct = ? WHERE rowid = ?", "mailbox", "envelope_ct",
        rs -> new Id[] {id(rs.getBytes(3)), id(rs.getBytes(4))});
  }

  /** Reads the AEAD key parts of a row. */
  @FunctionalInterface
  private interface KeyParts {
    Id[] of(ResultSet rs) throws SQLException, StorageException;
  }

  /** Re-seals one column padded, in pages of rows read before any of them is written. */
  private static void repad(Connection c, AtRestCipher cipher, String select, String update, String table,
      String column, KeyParts keyParts) throws SQLException, StorageException {
    long last = Long.MIN_VALUE;
    try (PreparedStatement read = c.prepareStatement(select);
        PreparedStatement write = c.prepareStatement(update)) {
      while (true) {
        java.util.List<Object[]> page = new java.util.ArrayList<>();
        read.setLong(1, last);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            page.add(new Object[] {rs.getLong(1), rs.getBytes(2), keyParts.of(rs)});
          }
        }
        if (page.isEmpty()) {
          return;
        }
        for (Object[] row : page) {
          long rowid = (Long) row[0];
          last = rowid;
          Id[] key = (Id[]) row[2];
          byte[] plain;
          try {
            plain = cipher.open((byte[]) row[1], table, column, key);
          } catch (StorageException unreadable) {
            continue; // left as it was: it fails when read, as it did before
          }
          write.setBytes(1, cipher.sealPadded(plain, table, column, key));
          write.setLong(2, rowid);
          write.executeUpdate();
        }
      }
    }
  }

  private static void releaseIfHeld(DirectoryLock dirLock) {
    if (dirLock != null) {
      dirLock.release();
    }
  }

  private static Connection connect(Path db) throws StorageException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    config.setBusyTimeout(StoreConstants.BUSY_TIMEOUT_MS);
    try {
      Connection c = config.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
      try {
        // deleted and overwritten content is zeroed, not left in free space for a thief of the
        // files: ids replaced by their blinded form, deleted messages and envelopes (issue 14)
        try (java.sql.Statement st = c.createStatement()) {
          st.execute("PRAGMA secure_delete = ON");
        }
        c.setAutoCommit(false);
      } catch (SQLException e) {
        closeQuietly(c, e);
        throw e;
      }
      return c;
    } catch (SQLException e) {
      throw new StorageException("cannot open the database", e);
    }
  }

  private static byte[] readBounded(Path file) throws IOException, StorageException {
    if (Files.size(file) > StoreConstants.MAX_KEYSET_FILE) {
      throw new StorageException("keyset file is malformed");
    }
    return Files.readAllBytes(file);
  }

  private static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** Creates the data directory, readable only by its owner where the file system allows. */
  private static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (posix(dir.toAbsolutePath())) {
      Files.createDirectory(
          dir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }

  /**
   * Writes a file through a temporary sibling (owner-only permissions where the file system has
   * them), fsyncs it, moves it into place atomically and fsyncs the directory entry.
   */
  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Set<OpenOption> options =
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel ch =
        posix(target.toAbsolutePath())
            ? FileChannel.open(
                tmp,
                options,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : FileChannel.open(tmp, options);
    try (ch) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent())) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for syncing; the rename is then as durable as the
      // platform makes it.
    }
  }

  private static void closeQuietly(Connection c, Exception cause) {
    try {
      c.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
      throws StorageException, X {
    StoreArgs.need(work, "work");
    if (lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("transactions do not nest");
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("storage is closed");
      }
      Tx tx = new Tx();
      T result;
      try {
        result = work.run(tx);
      } catch (Throwable t) {
        tx.active = false;
        rollbackAfter(t);
        throw t;
      }
      tx.active = false;
      try {
        connection.commit();
      } catch (SQLException e) {
        rollbackAfter(e);
        throw new StorageException("commit failed", e);
      }
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** Rolls back after a failure, attaching a failed rollback to it. */
  private void rollbackAfter(Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public void close() throws StorageException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      SQLException failure = null;
      for (PreparedStatement ps : statements.values()) {
        try {
          ps.close();
        } catch (SQLException e) {
          failure = e;
        }
      }
      statements.clear();
      try {
        connection.rollback();
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
          st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
      } catch (SQLException e) {
        failure = e;
      }
      try {
        connection.close();
      } catch (SQLException e) {
        failure = e;
      }
      dirLock.release();
      if (failure != null) {
        throw new StorageException("closing the database failed", failure);
      }
    } finally {
      lock.unlock();
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static StorageException failed(SQLException e) {
    return new StorageException("database operation failed", e);
  }

  private static StorageException malformed(RuntimeException e) {
    return new StorageException("stored data is malformed", e);
  }

  private static Id id(byte[] bytes) throws StorageException {
    try {
      return Id.of(bytes);
    } catch (IllegalArgumentException e) {
      throw malformed(e);
    }
  }

  private static Id kindKey(NodeKeyKind kind) {
    return Id.of(new byte[] {(byte) kind.code()});
  }

  /** The operations of one transaction on the store's single connection. */
  private final class Tx implements StorageTransaction {
    private final Thread owner = Thread.currentThread();
    private boolean active = true;

    private void check() {
      if (!active || Thread.currentThread() != owner) {
        throw new IllegalStateException("transaction is not active on this thread");
      }
    }

    private int update(String sql, Object... args) throws StorageException {
      try {
        PreparedStatement ps = statement(sql);
        bind(ps, args);
        return ps.executeUpdate();
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    private void bind(PreparedStatement ps, Object... args) throws SQLException {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        if (a instanceof Id id) {
          ps.setBytes(i + 1, id.toBytes());
        } else if (a instanceof byte[] b) {
          ps.setBytes(i + 1, b);
        } else if (a instanceof Long l) {
          ps.setLong(i + 1, l);
        } else if (a instanceof Integer n) {
          ps.setInt(i + 1, n);
        } else {
          throw new IllegalStateException("unsupported parameter type " + a.getClass());
        }
      }
    }

    /** Runs a query and maps each row; row mapping failures become StorageException. */
    private <R> List<R> query(String sql, RowMapper<R> mapper, Object... args)
        throws StorageException {
      try {
        PreparedStatement ps = statement(sql);
        bind(ps, args);
        List<R> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(mapper.map(rs));
          }
        }
        return out;
      } catch (SQLException e) {
        throw failed(e);
      } catch (IllegalArgumentException e) {
        throw malformed(e);
      }
    }

    private <R> Optional<R> queryOne(String sql, RowMapper<R> mapper, Object... args)
        throws StorageException {
      List<R> rows = query(sql, mapper, args);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private Optional<SecretBlob> secret(String sql, String table, String column, Id key)
        throws StorageException {
      return secret(sql, table, column, key, key);
    }

    /** Reads a sealed blob whose row is found by {@code lookup} (a blinded id) and bound to key. */
    private Optional<SecretBlob> secret(String sql, String table, String column, Id key, Id lookup)
        throws StorageException {
      Optional<byte[]> ct = queryOne(sql, rs -> rs.getBytes(1), lookup);
      if (ct.isEmpty()) {
        return Optional.empty();
      }
      byte[] plain = cipher.openPadded(ct.get(), table, column, key);
      try {
        return Optional.of(SecretBlob.copyOf(plain));
      } finally {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    }

    private byte[] seal(SecretBlob blob, String table, String column, Id key)
        throws StorageException {
      byte[] plain = blob.revealBytes();
      try {
        return cipher.sealPadded(plain, table, column, key);
      } finally {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    }

    // ---- node keys

    @Override
    public void putNodeKey(NodeKeyKind kind, SecretBlob material) throws StorageException {
      check();
      StoreArgs.need(kind, "kind");
      StoreArgs.need(material, "material");
      Id key = kindKey(kind);
      update(
          "INSERT OR REPLACE INTO node_key (kind, material_ct) VALUES (?, ?)",
          kind.code(),
          seal(material, "node_key", "material_ct", key));
    }

    @Override
    public Optional<SecretBlob> nodeKey(NodeKeyKind kind) throws StorageException {
      check();
      StoreArgs.need(kind, "kind");
      Optional<byte[]> ct =
          queryOne("SELECT material_ct FROM node_key WHERE kind = ?", rs -> rs.getBytes(1),
              kind.code());
      if (ct.isEmpty()) {
        return Optional.empty();
      }
      byte[] plain = cipher.openPadded(ct.get(), "node_key", "material_ct", kindKey(kind));
      try {
        return Optional.of(SecretBlob.copyOf(plain));
      } finally {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    }

    // ---- group states

    @Override
    public void putGroupState(Id groupId, SecretBlob state) throws StorageException {
      check();
      StoreArgs.need(groupId, "groupId");
      StoreArgs.need(state, "state");
      update(
          "INSERT OR REPLACE INTO group_state (group_id, state_ct) VALUES (?, ?)",
          blinder.blind("group_state", "group_id", groupId),
          seal(state, "group_state", "state_ct", groupId));
    }

    @Override
    public Optional<SecretBlob> groupState(Id groupId) throws StorageException {
      check();
      StoreArgs.need(groupId, "groupId");
      return secret(
          "SELECT state_ct FROM group_state WHERE group_id = ?", "group_state", "state_ct",
          groupId, blinder.blind("group_state", "group_id", groupId));
    }

    @Override
    public boolean deleteGroupState(Id groupId) throws StorageException {
      check();
      StoreArgs.need(groupId, "groupId");
      return update("DELETE FROM group_state WHERE group_id = ?",
          blinder.blind("group_state", "group_id", groupId)) > 0;
    }

    // ---- key packages

    @Override
    public void putKeyPackage(Id ref, SecretBlob privateMaterial) throws StorageException {
      check();
      StoreArgs.need(ref, "ref");
      StoreArgs.need(privateMaterial, "privateMaterial");
      update(
          "INSERT OR REPLACE INTO key_package (ref, material_ct) VALUES (?, ?)",
          blinder.blind("key_package", "ref", ref),
          seal(privateMaterial, "key_package", "material_ct", ref));
    }

    @Override
    public Optional<SecretBlob> keyPackage(Id ref) throws StorageException {
      check();
      StoreArgs.need(ref, "ref");
      return secret(
          "SELECT material_ct FROM key_package WHERE ref = ?", "key_package", "material_ct", ref,
          blinder.blind("key_package", "ref", ref));
    }

    @Override
    public boolean deleteKeyPackage(Id ref) throws StorageException {
      check();
      StoreArgs.need(ref, "ref");
      return update("DELETE FROM key_package WHERE ref = ?",
          blinder.blind("key_package", "ref", ref)) > 0;
    }

    // ---- sealed row ids (schema step 10; see RowIds)

    private Id b(String table, String column, Id id) {
      return blinder.blind(table, column, id);
    }

    private byte[] sealIds(String table, Id[] key, Id... ids) throws StorageException {
      return cipher.seal(RowIds.encode(ids), table, "ids_ct", key);
    }

    private Id[] openIds(byte[] ct, String table, int count, Id... key) throws StorageException {
      if (ct == null) {
        throw new StorageException("stored ids are missing");
      }
      return RowIds.decode(cipher.open(ct, table, "ids_ct", key), count);
    }

    // ---- spaces and channels

    private byte[] sealName(String name, String table, Id key) throws StorageException {
      return cipher.sealPadded(name.getBytes(StandardCharsets.UTF_8), table, "name_ct", key);
    }

    private String openName(byte[] ct, String table, Id key) throws StorageException {
      return new String(cipher.openPadded(ct, table, "name_ct", key), StandardCharsets.UTF_8);
    }

    @Override
    public void putSpace(SpaceRecord space) throws StorageException {
      check();
      StoreArgs.need(space, "space");
      Id bs = b("space", "space_id", space.spaceId());
      update(
          "INSERT OR REPLACE INTO space (space_id, name_ct, owner, created_ms, ids_ct)"
              + " VALUES (?, ?, ?, ?, ?)",
          bs,
          sealName(space.name(), "space", space.spaceId()),
          RowIds.NONE,
          space.createdAt().toEpochMilli(),
          sealIds("space", new Id[] {bs}, space.spaceId(), space.ownerPeerId()));
    }

    private static final String SPACE_COLUMNS = "space_id, name_ct, created_ms, ids_ct";

    private SpaceRecord spaceRow(ResultSet rs) throws SQLException, StorageException {
      Id[] ids = openIds(rs.getBytes(4), "space", 2, id(rs.getBytes(1)));
      return new SpaceRecord(
          ids[0],
          openName(rs.getBytes(2), "space", ids[0]),
          ids[1],
          Instant.ofEpochMilli(rs.getLong(3)));
    }

    @Override
    public Optional<SpaceRecord> space(Id spaceId) throws StorageException {
      check();
      StoreArgs.need(spaceId, "spaceId");
      return queryOne(
          "SELECT " + SPACE_COLUMNS + " FROM space WHERE space_id = ?", this::spaceRow,
          b("space", "space_id", spaceId));
    }

    @Override
    public List<SpaceRecord> spaces() throws StorageException {
      check();
      List<SpaceRecord> out = new ArrayList<>(
          query("SELECT " + SPACE_COLUMNS + " FROM space", this::spaceRow));
      out.sort(java.util.Comparator.comparing(SpaceRecord::spaceId));
      return List.copyOf(out);
    }

    @Override
    public boolean deleteSpace(Id spaceId) throws StorageException {
      check();
      StoreArgs.need(spaceId, "spaceId");
      update("DELETE FROM channel WHERE space_id = ?", b("channel", "space_id", spaceId));
      update("DELETE FROM space_op WHERE space_id = ?",
          blinder.blind("space_op", "space_id", spaceId));
      return update("DELETE FROM space WHERE space_id = ?", b("space", "space_id", spaceId)) > 0;
    }

    @Override
    public void putChannel(ChannelRecord channel) throws StorageException {
      check();
      StoreArgs.need(channel, "channel");
      Id bc = b("channel", "channel_id", channel.channelId());
      update(
          "INSERT OR REPLACE INTO channel"
              + " (channel_id, space_id, name_ct, kind, owner, created_ms, ids_ct)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?)",
          bc,
          b("channel", "space_id", channel.spaceId()),
          sealName(channel.name(), "channel", channel.channelId()),
          channel.kind(),
          RowIds.NONE,
          channel.createdAt().toEpochMilli(),
          sealIds("channel", new Id[] {bc}, channel.channelId(), channel.spaceId(),
              channel.ownerPeerId()));
    }

    private static final String CHANNEL_COLUMNS = "channel_id, name_ct, kind, created_ms, ids_ct";

    private ChannelRecord channelRow(ResultSet rs) throws SQLException, StorageException {
      Id[] ids = openIds(rs.getBytes(5), "channel", 3, id(rs.getBytes(1)));
      return new ChannelRecord(
          ids[0],
          ids[1],
          openName(rs.getBytes(2), "channel", ids[0]),
          rs.getInt(3),
          ids[2],
          Instant.ofEpochMilli(rs.getLong(4)));
    }

    @Override
    public Optional<ChannelRecord> channel(Id channelId) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      return queryOne(
          "SELECT " + CHANNEL_COLUMNS + " FROM channel WHERE channel_id = ?",
          this::channelRow,
          b("channel", "channel_id", channelId));
    }

    @Override
    public List<ChannelRecord> channels(Id spaceId) throws StorageException {
      check();
      StoreArgs.need(spaceId, "spaceId");
      List<ChannelRecord> out = new ArrayList<>(
          query(
              "SELECT " + CHANNEL_COLUMNS + " FROM channel WHERE space_id = ?",
              this::channelRow,
              b("channel", "space_id", spaceId)));
      out.sort(java.util.Comparator.comparing(ChannelRecord::channelId));
      return List.copyOf(out);
    }

    @Override
    public boolean deleteChannel(Id channelId) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      update("DELETE FROM message WHERE channel_id = ?", b("message", "channel_id", channelId));
      return update("DELETE FROM channel WHERE channel_id = ?",
          b("channel", "channel_id", channelId)) > 0;
    }

    @Override
    public boolean appendSpaceOperation(SpaceOperation op) throws StorageException {
      check();
      StoreArgs.need(op, "operation");
      Id bo = b("space_op", "op_id", op.operationId());
      return update(
              "INSERT OR IGNORE INTO space_op (op_id, space_id, lamport, author, payload_ct, ids_ct)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              bo,
              blinder.blind("space_op", "space_id", op.spaceId()),
              op.lamport(),
              RowIds.NONE,
              cipher.sealPadded(op.payload(), "space_op", "payload_ct", op.operationId()),
              sealIds("space_op", new Id[] {bo}, op.operationId(), op.authorPeerId()))
          > 0;
    }

    @Override
    public List<SpaceOperation> spaceOperations(Id spaceId) throws StorageException {
      check();
      StoreArgs.need(spaceId, "spaceId");
      List<SpaceOperation> out = new ArrayList<>(
          query(
              "SELECT op_id, lamport, payload_ct, ids_ct FROM space_op WHERE space_id = ?",
              rs -> {
                Id[] ids = openIds(rs.getBytes(4), "space_op", 2, id(rs.getBytes(1)));
                return new SpaceOperation(
                    ids[0],
                    spaceId, // the column holds its blinded form
                    rs.getLong(2),
                    ids[1],
                    cipher.openPadded(rs.getBytes(3), "space_op", "payload_ct", ids[0]));
              },
              blinder.blind("space_op", "space_id", spaceId)));
      out.sort(java.util.Comparator.comparingLong(SpaceOperation::lamport)
          .thenComparing(SpaceOperation::authorPeerId)
          .thenComparing(SpaceOperation::operationId));
      return List.copyOf(out);
    }

    // ---- messages

    private static final String MESSAGE_COLUMNS =
        "message_id, lamport, sender_seq, content_type, body_ct, received_ms, delivery, ids_ct";

    /** Display order: (lamport, sender, sender sequence, message id). */
    private static final java.util.Comparator<StoredMessage> DISPLAY =
        java.util.Comparator.comparing(StoredMessage::cursor)
            .thenComparing(StoredMessage::messageId);

    private StoredMessage messageRow(ResultSet rs) throws SQLException, StorageException {
      Id[] ids = openIds(rs.getBytes(8), "message", 3, id(rs.getBytes(1)));
      return new StoredMessage(
          ids[0],
          ids[1],
          ids[2],
          rs.getLong(2),
          rs.getLong(3),
          rs.getInt(4),
          cipher.openPadded(rs.getBytes(5), "message", "body_ct", ids[0]),
          Instant.ofEpochMilli(rs.getLong(6)),
          DeliveryState.fromCode(rs.getInt(7)));
    }

    @Override
    public boolean insertMessage(StoredMessage m) throws StorageException {
      check();
      StoreArgs.need(m, "message");
      Id bm = b("message", "message_id", m.messageId());
      return update(
              "INSERT OR IGNORE INTO message (message_id, channel_id, sender, lamport, sender_seq,"
                  + " content_type, body_ct, received_ms, delivery, ids_ct)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              bm,
              b("message", "channel_id", m.channelId()),
              RowIds.NONE,
              m.lamport(),
              m.senderSequence(),
              m.contentType(),
              cipher.sealPadded(m.body(), "message", "body_ct", m.messageId()),
              m.receivedAt().toEpochMilli(),
              m.deliveryState().code(),
              sealIds("message", new Id[] {bm}, m.messageId(), m.channelId(), m.senderPeerId()))
          > 0;
    }

    @Override
    public Optional<StoredMessage> message(Id messageId) throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      return queryOne(
          "SELECT " + MESSAGE_COLUMNS + " FROM message WHERE message_id = ?",
          this::messageRow,
          b("message", "message_id", messageId));
    }

    /**
     * The sender is sealed, so SQL orders by Lamport clock only: a page is the newest rows below
     * the cursor's clock, plus every row of the cursor's clock and of the page's lowest clock (so
     * that ties are complete), sorted by the full display order here.
     */
    @Override
    public List<StoredMessage> history(Id channelId, HistoryCursor before, int limit)
        throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      StoreArgs.needCount(limit, "limit");
      if (limit == 0) {
        return List.of();
      }
      Id bc = b("message", "channel_id", channelId);
      String select = "SELECT " + MESSAGE_COLUMNS + " FROM message WHERE channel_id = ?";
      List<StoredMessage> rows = new ArrayList<>();
      List<StoredMessage> below;
      if (before == null) {
        below = query(select + " ORDER BY lamport DESC LIMIT ?", this::messageRow, bc, limit);
      } else {
        for (StoredMessage m : query(select + " AND lamport = ?", this::messageRow, bc,
            before.lamport())) {
          if (m.cursor().compareTo(before) < 0) {
            rows.add(m);
          }
        }
        below = query(select + " AND lamport < ? ORDER BY lamport DESC LIMIT ?",
            this::messageRow, bc, before.lamport(), limit);
      }
      if (below.size() == limit) {
        long lowest = below.get(below.size() - 1).lamport();
        below.removeIf(m -> m.lamport() == lowest);
        below.addAll(query(select + " AND lamport = ?", this::messageRow, bc, lowest));
      }
      rows.addAll(below);
      rows.sort(DISPLAY);
      return List.copyOf(rows.subList(Math.max(0, rows.size() - limit), rows.size()));
    }

    @Override
    public OptionalLong maxLamport(Id channelId) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      List<Long> max =
          query(
              "SELECT max(lamport) FROM message WHERE channel_id = ?",
              rs -> {
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
              },
              b("message", "channel_id", channelId));
      return max.get(0) == null ? OptionalLong.empty() : OptionalLong.of(max.get(0));
    }

    @Override
    public boolean updateDeliveryState(Id messageId, DeliveryState state)
        throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      StoreArgs.need(state, "state");
      return update("UPDATE message SET delivery = ? WHERE message_id = ?", state.code(),
          b("message", "message_id", messageId)) > 0;
    }

    // ---- outbox

    @Override
    public boolean enqueueOutbox(OutboxEntry e) throws StorageException {
      check();
      StoreArgs.need(e, "entry");
      Id be = b("outbox", "envelope_id", e.envelopeId());
      Id br = b("outbox", "recipient", e.recipient());
      return update(
              "INSERT OR IGNORE INTO outbox (envelope_id, recipient, payload_ct, next_attempt_ms,"
                  + " attempts, enqueued_ms, ids_ct) VALUES (?, ?, ?, ?, ?, ?, ?)",
              be,
              br,
              cipher.sealPadded(e.payload(), "outbox", "payload_ct", e.envelopeId(), e.recipient()),
              e.nextAttemptAt().toEpochMilli(),
              e.attempts(),
              e.enqueuedAt().toEpochMilli(),
              sealIds("outbox", new Id[] {be, br}, e.envelopeId(), e.recipient()))
          > 0;
    }

    /** An outbox row with its ids opened and its payload still sealed. */
    private record OutboxRow(Id envelopeId, Id recipient, byte[] payloadCt, long next,
        int attempts, long enqueued) {}

    private OutboxRow outboxRow(ResultSet rs) throws SQLException, StorageException {
      Id[] ids = openIds(rs.getBytes(6), "outbox", 2, id(rs.getBytes(1)), id(rs.getBytes(2)));
      return new OutboxRow(ids[0], ids[1], rs.getBytes(3), rs.getLong(4), rs.getInt(5),
          rs.getLong(7));
    }

    /**
     * The ids are sealed, so SQL orders by due time only: the earliest rows, plus every row of
     * the page's latest due time (so that ties are complete), sorted by (envelope, recipient) here.
     */
    @Override
    public List<OutboxEntry> dueOutbox(Instant now, int limit) throws StorageException {
      check();
      long at = StoreArgs.millis(now, "now");
      StoreArgs.needCount(limit, "limit");
      if (limit == 0) {
        return List.of();
      }
      String select = "SELECT envelope_id, recipient, payload_ct, next_attempt_ms, attempts,"
          + " ids_ct, enqueued_ms FROM outbox";
      List<OutboxRow> rows = query(select + " WHERE next_attempt_ms <= ?"
          + " ORDER BY next_attempt_ms LIMIT ?", this::outboxRow, at, limit);
      if (rows.size() == limit) {
        long latest = rows.get(rows.size() - 1).next();
        rows.removeIf(r -> r.next() == latest);
        rows.addAll(query(select + " WHERE next_attempt_ms = ?", this::outboxRow, latest));
      }
      rows.sort(java.util.Comparator.comparingLong(OutboxRow::next)
          .thenComparing(OutboxRow::envelopeId).thenComparing(OutboxRow::recipient));
      List<OutboxEntry> out = new ArrayList<>();
      for (OutboxRow r : rows.subList(0, Math.min(limit, rows.size()))) {
        out.add(new OutboxEntry(r.envelopeId(), r.recipient(),
            cipher.openPadded(r.payloadCt(), "outbox", "payload_ct", r.envelopeId(),
                r.recipient()),
            Instant.ofEpochMilli(r.next()), r.attempts(), Instant.ofEpochMilli(r.enqueued())));
      }
      return List.copyOf(out);
    }

    @Override
    public boolean ackOutbox(Id envelopeId, Id recipient) throws StorageException {
      check();
      StoreArgs.need(envelopeId, "envelopeId");
      StoreArgs.need(recipient, "recipient");
      return update("DELETE FROM outbox WHERE envelope_id = ? AND recipient = ?",
          b("outbox", "envelope_id", envelopeId), b("outbox", "recipient", recipient)) > 0;
    }

    @Override
    public boolean rescheduleOutbox(Id envelopeId, Id recipient, Instant nextAttemptAt)
        throws StorageException {
      check();
      StoreArgs.need(envelopeId, "envelopeId");
      StoreArgs.need(recipient, "recipient");
      long at = StoreArgs.millis(nextAttemptAt, "nextAttemptAt");
      return update(
              "UPDATE outbox SET next_attempt_ms = ?, attempts = min(attempts + 1, 2147483647)"
                  + " WHERE envelope_id = ? AND recipient = ?",
              at,
              b("outbox", "envelope_id", envelopeId),
              b("outbox", "recipient", recipient))
          > 0;
    }

    // ---- per-recipient delivery state

    @Override
    public void putRecipientState(Id messageId, Id recipient, RecipientState state)
        throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      StoreArgs.need(recipient, "recipient");
      StoreArgs.need(state, "state");
      Id bm = blinder.blind("recipient_state", "message_id", messageId);
      Id br = b("recipient_state", "recipient", recipient);
      update("INSERT OR REPLACE INTO recipient_state (message_id, recipient, state, ids_ct)"
          + " VALUES (?, ?, ?, ?)", bm, br, state.code(),
          sealIds("recipient_state", new Id[] {bm, br}, recipient));
    }

    @Override
    public Map<Id, RecipientState> recipientStates(Id messageId) throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      Id bm = blinder.blind("recipient_state", "message_id", messageId);
      Map<Id, RecipientState> out = new TreeMap<>();
      for (Map.Entry<Id, RecipientState> e : query(
          "SELECT recipient, state, ids_ct FROM recipient_state WHERE message_id = ?",
          rs -> Map.entry(
              openIds(rs.getBytes(3), "recipient_state", 1, bm, id(rs.getBytes(1)))[0],
              RecipientState.fromCode(rs.getInt(2))),
          bm)) {
        out.put(e.getKey(), e.getValue());
      }
      return Collections.unmodifiableMap(out);
    }

    @Override
    public Optional<RecipientState> recipientState(Id messageId, Id recipient)
        throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      StoreArgs.need(recipient, "recipient");
      // one row by the primary key (message_id, recipient)
      return queryOne("SELECT state FROM recipient_state WHERE message_id = ? AND recipient = ?",
          rs -> RecipientState.fromCode(rs.getInt(1)),
          blinder.blind("recipient_state", "message_id", messageId),
          b("recipient_state", "recipient", recipient));
    }

    @Override
    public RecipientCounts recipientCounts(Id messageId) throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      int[] counts = new int[RecipientState.values().length];
      // counted over the primary key's prefix message_id, without reading or opening the ids
      for (int[] row : query(
          "SELECT state, count(*) FROM recipient_state WHERE message_id = ? GROUP BY state",
          rs -> new int[] {rs.getInt(1), rs.getInt(2)},
          blinder.blind("recipient_state", "message_id", messageId))) {
        counts[RecipientState.fromCode(row[0]).ordinal()] += row[1];
      }
      return new RecipientCounts(counts[RecipientState.PENDING.ordinal()],
          counts[RecipientState.DELIVERED.ordinal()], counts[RecipientState.FAILED.ordinal()]);
    }

    @Override
    public int deleteRecipientStates(Id messageId) throws StorageException {
      check();
      StoreArgs.need(messageId, "messageId");
      return update("DELETE FROM recipient_state WHERE message_id = ?",
          blinder.blind("recipient_state", "message_id", messageId));
    }

    // ---- pending envelopes

    @Override
    public boolean addPendingEnvelope(PendingEnvelope p) throws StorageException {
      check();
      StoreArgs.need(p, "envelope");
      Id be = b("pending_envelope", "envelope_id", p.envelopeId());
      return update(
              "INSERT OR IGNORE INTO pending_envelope (envelope_id, envelope_ct, received_ms,"
                  + " ids_ct) VALUES (?, ?, ?, ?)",
              be,
              cipher.sealPadded(p.envelope(), "pending_envelope", "envelope_ct", p.envelopeId()),
              p.receivedAt().toEpochMilli(),
              sealIds("pending_envelope", new Id[] {be}, p.envelopeId()))
          > 0;
    }

    /** Held envelopes as {blinded id, id, received ms}, oldest first (by time, then id). */
    private List<Object[]> pendingOrder() throws StorageException {
      List<Object[]> rows = new ArrayList<>(query(
          "SELECT envelope_id, received_ms, ids_ct FROM pending_envelope",
          rs -> {
            Id be = id(rs.getBytes(1));
            return new Object[] {be,
                openIds(rs.getBytes(3), "pending_envelope", 1, be)[0], rs.getLong(2)};
          }));
      rows.sort(java.util.Comparator.<Object[]>comparingLong(r -> (Long) r[2])
          .thenComparing(r -> (Id) r[1]));
      return rows;
    }

    @Override
    public List<PendingEnvelope> pendingEnvelopes() throws StorageException {
      check();
      List<PendingEnvelope> out = new ArrayList<>(
          query(
              "SELECT envelope_id, envelope_ct, received_ms, ids_ct FROM pending_envelope",
              rs -> {
                Id envelopeId = openIds(rs.getBytes(4), "pending_envelope", 1,
                    id(rs.getBytes(1)))[0];
                return new PendingEnvelope(
                    envelopeId,
                    cipher.openPadded(rs.getBytes(2), "pending_envelope", "envelope_ct",
                        envelopeId),
                    Instant.ofEpochMilli(rs.getLong(3)));
              }));
      out.sort(java.util.Comparator.comparing(PendingEnvelope::receivedAt)
          .thenComparing(PendingEnvelope::envelopeId));
      return List.copyOf(out);
    }

    @Override
    public boolean deletePendingEnvelope(Id envelopeId) throws StorageException {
      check();
      StoreArgs.need(envelopeId, "envelopeId");
      return update("DELETE FROM pending_envelope WHERE envelope_id = ?",
          b("pending_envelope", "envelope_id", envelopeId)) > 0;
    }

    @Override
    public int prunePendingEnvelopes(int maxCount, Instant receivedBefore)
        throws StorageException {
      check();
      StoreArgs.needCount(maxCount, "maxCount");
      long cutoff = StoreArgs.millis(receivedBefore, "receivedBefore");
      int deleted = update("DELETE FROM pending_envelope WHERE received_ms < ?", cutoff);
      long count =
          queryOne("SELECT count(*) FROM pending_envelope", rs -> rs.getLong(1)).orElse(0L);
      if (count > maxCount) {
        for (Object[] r : pendingOrder().subList(0, (int) (count - maxCount))) {
          deleted += update("DELETE FROM pending_envelope WHERE envelope_id = ?", (Id) r[0]);
        }
      }
      return deleted;
    }

    // ---- sync envelopes

    @Override
    public boolean putSyncEnvelope(SyncEnvelope e) throws StorageException {
      check();
      StoreArgs.need(e, "envelope");
      return update(
              "INSERT OR IGNORE INTO sync_envelope (channel_id, sender, seq, epoch, mls_ct, tomb,"
                  + " ids_ct) VALUES (?, ?, ?, ?, ?, ?, ?)",
              syncRowArgs(e))
          > 0;
    }

    private Object[] syncRowArgs(SyncEnvelope e) throws StorageException {
      Id bc = blinder.blind("sync_envelope", "channel_id", e.channelId());
      Id bs = b("sync_envelope", "sender", e.sender());
      return new Object[] {
          bc,
          bs,
          e.sequence(),
          e.epoch(),
          cipher.sealPadded(e.mlsMessage(), "sync_envelope", "mls_ct", e.channelId(), e.sender(),
              sequenceKey(e.sequence())),
          e.mlsMessageLength() == 0 ? 1 : 0,
          sealIds("sync_envelope", new Id[] {bc, bs, sequenceKey(e.sequence())}, e.sender())};
    }

    @Override
    public void replaceSyncEnvelope(SyncEnvelope e) throws StorageException {
      check();
      StoreArgs.need(e, "envelope");
      update("INSERT OR REPLACE INTO sync_envelope (channel_id, sender, seq, epoch, mls_ct, tomb,"
              + " ids_ct) VALUES (?, ?, ?, ?, ?, ?, ?)",
          syncRowArgs(e));
    }

    @Override
    public List<SyncEnvelope> syncEnvelopes(Id channelId, Id sender, long fromSequence,
        int limit) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      StoreArgs.need(sender, "sender");
      StoreArgs.needCount(limit, "limit");
      return List.copyOf(
          query(
              "SELECT seq, epoch, mls_ct FROM sync_envelope"
                  + " WHERE channel_id = ? AND sender = ? AND seq >= ? ORDER BY seq LIMIT ?",
              rs -> {
                long seq = rs.getLong(1);
                return new SyncEnvelope(channelId, sender, seq, rs.getLong(2),
                    cipher.openPadded(rs.getBytes(3), "sync_envelope", "mls_ct", channelId, sender,
                        sequenceKey(seq)));
              },
              blinder.blind("sync_envelope", "channel_id", channelId),
              b("sync_envelope", "sender", sender),
              fromSequence,
              limit));
    }

    @Override
    public Map<Id, Long> highWaterMarks(Id channelId) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      Id bc = blinder.blind("sync_envelope", "channel_id", channelId);
      Map<Id, Long> out = new TreeMap<>();
      Id currentBlind = null;
      Id current = null;
      long next = 0;
      Id[] previous = new Id[1];
      // The primary key (channel_id, sender, seq) serves both the filter and the order (no sort
      // step); the sealed ids are read only at each sender's first row, where they are opened.
      for (Object[] row : query(
          "SELECT sender, seq, tomb, ids_ct FROM sync_envelope WHERE channel_id = ?"
              + " ORDER BY sender, seq",
          rs -> {
            Id sender = id(rs.getBytes(1));
            boolean first = !sender.equals(previous[0]);
            previous[0] = sender;
            return new Object[] {sender, rs.getLong(2), rs.getInt(3) != 0,
                first ? rs.getBytes(4) : null};
          },
          bc)) {
        Id blindSender = (Id) row[0];
        long seq = (Long) row[1];
        if (!blindSender.equals(currentBlind)) {
          currentBlind = blindSender;
          current = openIds((byte[]) row[3], "sync_envelope", 1, bc, blindSender,
              sequenceKey(seq))[0];
          // A tombstone left by pruning stands for everything below it.
          next = (Boolean) row[2] ? seq : 0;
        }
        if (seq == next) {
          out.put(current, next);
          next++;
        }
      }
      return Collections.unmodifiableMap(out);
    }

    @Override
    public int pruneSyncEnvelopes(Id channelId, int keepPerSender) throws StorageException {
      check();
      StoreArgs.need(channelId, "channelId");
      if (keepPerSender < 1) {
        throw new IllegalArgumentException("keepPerSender must be at least 1: " + keepPerSender);
      }
      int changed = 0;
      Id blind = blinder.blind("sync_envelope", "channel_id", channelId);
      for (Object[] row : query(
          "SELECT sender, count(*) FROM sync_envelope WHERE channel_id = ? GROUP BY sender"
              + " HAVING count(*) > ?",
          rs -> new Object[] {id(rs.getBytes(1)), rs.getLong(2)},
          blind, keepPerSender)) {
        Id blindSender = (Id) row[0];
        long cut = (Long) row[1] - keepPerSender;
        Optional<Object[]> lastCut = queryOne(
            "SELECT seq, ids_ct FROM sync_envelope WHERE channel_id = ? AND sender = ?"
                + " ORDER BY seq LIMIT 1 OFFSET ?",
            rs -> new Object[] {rs.getLong(1), rs.getBytes(2)}, blind, blindSender, cut - 1);
        if (lastCut.isEmpty()) {
          continue;
        }
        long tombSeq = (Long) lastCut.get()[0];
        Id sender = openIds((byte[]) lastCut.get()[1], "sync_envelope", 1, blind, blindSender,
            sequenceKey(tombSeq))[0];
        changed += update("DELETE FROM sync_envelope WHERE channel_id = ? AND sender = ?"
            + " AND seq < ?", blind, blindSender, tombSeq);
        changed += update("UPDATE sync_envelope SET mls_ct = ?, tomb = 1 WHERE channel_id = ?"
            + " AND sender = ? AND seq = ? AND tomb = 0",
            cipher.seal(new byte[0], "sync_envelope", "mls_ct", channelId, sender,
                sequenceKey(tombSeq)), blind, blindSender, tombSeq);
      }
      return changed;
    }

    // ---- mailboxes

    @Override
    public boolean putMailboxEnvelope(MailboxEnvelope e) throws StorageException {
      check();
      StoreArgs.need(e, "envelope");
      Id br = blinder.blind("mailbox", "recipient", e.recipient());
      Id be = b("mailbox", "envelope_id", e.envelopeId());
      return update(
              "INSERT OR IGNORE INTO mailbox (recipient, envelope_id, space_id, envelope_ct,"
                  + " deposited_ms, ids_ct) VALUES (?, ?, ?, ?, ?, ?)",
              br,
              be,
              RowIds.NONE,
              cipher.sealPadded(e.envelope(), "mailbox", "envelope_ct", e.recipient(), e.envelopeId()),
              e.depositedAt().toEpochMilli(),
              sealIds("mailbox", new Id[] {br, be}, e.envelopeId(), e.spaceId()))
          > 0;
    }

    @Override
    public List<MailboxEnvelope> mailboxEnvelopes(Id recipient, int limit)
        throws StorageException {
      check();
      StoreArgs.need(recipient, "recipient");
      StoreArgs.needCount(limit, "limit");
      Id br = blinder.blind("mailbox", "recipient", recipient);
      return List.copyOf(
          query(
              "SELECT envelope_id, ids_ct, envelope_ct, deposited_ms FROM mailbox"
                  + " WHERE recipient = ? ORDER BY seq LIMIT ?",
              rs -> {
                Id[] ids = openIds(rs.getBytes(2), "mailbox", 2, br, id(rs.getBytes(1)));
                return new MailboxEnvelope(recipient, ids[0], ids[1],
                    cipher.openPadded(rs.getBytes(3), "mailbox", "envelope_ct", recipient, ids[0]),
                    Instant.ofEpochMilli(rs.getLong(4)));
              },
              br,
              limit));
    }

    @Override
    public int mailboxCount(Id recipient) throws StorageException {
      check();
      StoreArgs.need(recipient, "recipient");
      return queryOne("SELECT count(*) FROM mailbox WHERE recipient = ?", rs -> rs.getLong(1),
          blinder.blind("mailbox", "recipient", recipient)).orElse(0L).intValue();
    }

    @Override
    public boolean deleteMailboxEnvelope(Id recipient, Id envelopeId) throws StorageException {
      check();
      StoreArgs.need(recipient, "recipient");
      StoreArgs.need(envelopeId, "envelopeId");
      return update("DELETE FROM mailbox WHERE recipient = ? AND envelope_id = ?",
          blinder.blind("mailbox", "recipient", recipient),
          b("mailbox", "envelope_id", envelopeId)) > 0;
    }

    @Override
    public int pruneMailboxes(Instant depositedBefore) throws StorageException {
      check();
      return update("DELETE FROM mailbox WHERE deposited_ms < ?",
          StoreArgs.millis(depositedBefore, "depositedBefore"));
    }

    // ---- address book

    @Override
    public boolean replaceKnownPeers(List<KnownPeer> peers) throws StorageException {
      check();
      StoreArgs.need(peers, "peers");
      if (peers.size() > KnownPeer.MAX_KNOWN_PEERS) {
        throw new IllegalArgumentException("more than " + KnownPeer.MAX_KNOWN_PEERS + " peers");
      }
      update("DELETE FROM known_peer");
      long seq = 0;
      for (KnownPeer p : peers) {
        seq++;
        update("INSERT INTO known_peer (seq, data_ct) VALUES (?, ?)", seq,
            cipher.seal(KnownPeerCodec.encode(p), "known_peer", "data_ct", sequenceKey(seq)));
      }
      return true;
    }

    @Override
    public List<KnownPeer> knownPeers() throws StorageException {
      check();
      return List.copyOf(query("SELECT seq, data_ct FROM known_peer ORDER BY seq",
          rs -> KnownPeerCodec.decode(cipher.open(rs.getBytes(2), "known_peer", "data_ct",
              sequenceKey(rs.getLong(1))))));
    }

    // ---- node records

    @Override
    public boolean putNodeRecord(NodeRecord r) throws StorageException {
      check();
      StoreArgs.need(r, "record");
      Id blind = blinder.blind("node_record", "record_key", r.key());
      byte[] key = r.key().toBytes();
      byte[] value = r.value();
      byte[] plain = java.nio.ByteBuffer.allocate(2 + key.length + value.length)
          .putShort((short) key.length).put(key).put(value).array();
      update("DELETE FROM node_record WHERE kind = ? AND record_key = ?", r.kind(), blind);
      return update("INSERT INTO node_record (kind, record_key, value_ct) VALUES (?, ?, ?)",
          r.kind(), blind, cipher.sealPadded(plain, "node_record", "value_ct", blind)) > 0;
    }

    @Override
    public List<NodeRecord> nodeRecords(int kind) throws StorageException {
      check();
      return List.copyOf(query(
          "SELECT record_key, value_ct FROM node_record WHERE kind = ? ORDER BY seq",
          rs -> {
            Id blind = id(rs.getBytes(1));
            byte[] plain = cipher.openPadded(rs.getBytes(2), "node_record", "value_ct", blind);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(plain);
            int keyLength = b.getShort() & 0xFFFF;
            if (keyLength > b.remaining()) {
              throw new StorageException("node record malformed");
            }
            byte[] key = new byte[keyLength];
            b.get(key);
            byte[] value = new byte[b.remaining()];
            b.get(value);
            return new NodeRecord(kind, Id.of(key), value);
          },
          kind));
    }

    @Override
    public boolean deleteNodeRecord(int kind, Id key) throws StorageException {
      check();
      StoreArgs.need(key, "key");
      return update("DELETE FROM node_record WHERE kind = ? AND record_key = ?", kind,
          blinder.blind("node_record", "record_key", key)) > 0;
    }

    // ---- invites

    @Override
    public boolean putInvite(Invite invite) throws StorageException {
      check();
      StoreArgs.need(invite, "invite");
      return update(
              "INSERT OR IGNORE INTO invite (secret_hash, expires_ms, used) VALUES (?, ?, ?)",
              blinder.blind("invite", "secret_hash", invite.secretHash()),
              invite.expiresAt().toEpochMilli(),
              invite.used() ? 1 : 0)
          > 0;
    }

    @Override
    public Optional<Invite> invite(Id secretHash) throws StorageException {
      check();
      StoreArgs.need(secretHash, "secretHash");
      return queryOne(
          "SELECT expires_ms, used FROM invite WHERE secret_hash = ?",
          rs -> new Invite(secretHash, Instant.ofEpochMilli(rs.getLong(1)), rs.getInt(2) != 0),
          blinder.blind("invite", "secret_hash", secretHash));
    }

    @Override
    public InviteRedemption redeemInvite(Id secretHash, Instant now) throws StorageException {
      check();
      StoreArgs.need(secretHash, "secretHash");
      long at = StoreArgs.millis(now, "now");
      Optional<Invite> invite = invite(secretHash);
      if (invite.isEmpty()) {
        return InviteRedemption.UNKNOWN;
      }
      if (invite.get().used()) {
        return InviteRedemption.ALREADY_USED;
      }
      if (invite.get().expiresAt().toEpochMilli() <= at) {
        return InviteRedemption.EXPIRED;
      }
      int changed =
          update("UPDATE invite SET used = 1 WHERE secret_hash = ? AND used = 0",
              blinder.blind("invite", "secret_hash", secretHash));
      return changed == 1 ? InviteRedemption.REDEEMED : InviteRedemption.ALREADY_USED;
    }
  }

  /** The sequence as an 8-byte big-endian id part of the at-rest associated data. */
  static Id sequenceKey(long sequence) {
    return Id.of(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
  }

  /** Maps one result row; may decrypt, so may fail with a StorageException. */
  @FunctionalInterface
  private interface RowMapper<R> {
    R map(ResultSet rs) throws SQLException, StorageException;
  }
}
