package io.spacepanda.internal.store;

import io.spacepanda.spi.StorageException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The SQLite schema as an ordered list of migration steps, and the code that applies them.
 *
 * <p>The table {@code schema_version} holds one row: the version of the last applied step. Opening
 * a database applies, in one transaction, every step above that version; a database whose version
 * is above the last step known here was written by a newer SDK and is refused untouched. Steps are
 * append-only: a released step never changes, a change to the schema is a new step.
 *
 * <p>Columns named {@code *_ct} hold AEAD ciphertexts written by {@link AtRestCipher}; id columns
 * hold blinded ids (see {@link Blinder}) or nothing (their ids sealed in {@code ids_ct}, see
 * {@link RowIds}); the other columns are cleartext metadata (clocks, times, counters).
 */
final class SchemaMigrations {

  /** One migration step: the version it produces and the statements that produce it. */
  record Step(int version, String description, List<String> statements) {}

  static final List<Step> STEPS =
      List.of(
          new Step(
              1,
              "initial schema",
              List.of(
                  "CREATE TABLE node_key (kind INTEGER PRIMARY KEY, material_ct BLOB NOT NULL)",
                  "CREATE TABLE group_state (group_id BLOB PRIMARY KEY, state_ct BLOB NOT NULL)",
                  "CREATE TABLE key_package (ref BLOB PRIMARY KEY, material_ct BLOB NOT NULL)",
                  "CREATE TABLE space (space_id BLOB PRIMARY KEY, name_ct BLOB NOT NULL,"
                      + " owner BLOB NOT NULL, created_ms INTEGER NOT NULL)",
                  "CREATE TABLE channel (channel_id BLOB PRIMARY KEY, space_id BLOB NOT NULL,"
                      + " name_ct BLOB NOT NULL, kind INTEGER NOT NULL, owner BLOB NOT NULL,"
                      + " created_ms INTEGER NOT NULL)",
                  "CREATE INDEX channel_by_space ON channel (space_id, channel_id)",
                  "CREATE TABLE space_op (op_id BLOB PRIMARY KEY, space_id BLOB NOT NULL,"
                      + " lamport INTEGER NOT NULL, author BLOB NOT NULL,"
                      + " payload_ct BLOB NOT NULL)",
                  "CREATE INDEX space_op_order ON space_op (space_id, lamport, author, op_id)",
                  "CREATE TABLE message (message_id BLOB PRIMARY KEY, channel_id BLOB NOT NULL,"
                      + " sender BLOB NOT NULL, lamport INTEGER NOT NULL,"
                      + " sender_seq INTEGER NOT NULL, content_type INTEGER NOT NULL,"
                      + " body_ct BLOB NOT NULL, received_ms INTEGER NOT NULL,"
                      + " delivery INTEGER NOT NULL)",
                  "CREATE INDEX message_order"
                      + " ON message (channel_id, lamport, sender, sender_seq, message_id)",
                  "CREATE TABLE outbox (envelope_id BLOB NOT NULL, recipient BLOB NOT NULL,"
                      + " payload_ct BLOB NOT NULL, next_attempt_ms INTEGER NOT NULL,"
                      + " attempts INTEGER NOT NULL, PRIMARY KEY (envelope_id, recipient))",
                  "CREATE INDEX outbox_due ON outbox (next_attempt_ms, envelope_id, recipient)",
                  "CREATE TABLE pending_envelope (envelope_id BLOB PRIMARY KEY,"
                      + " envelope_ct BLOB NOT NULL, received_ms INTEGER NOT NULL)",
                  "CREATE INDEX pending_by_age ON pending_envelope (received_ms, envelope_id)",
                  "CREATE TABLE invite (secret_hash BLOB PRIMARY KEY,"
                      + " expires_ms INTEGER NOT NULL, used INTEGER NOT NULL)")),
          // Old outbox rows get enqueued_ms = next_attempt_ms. Copies of own messages still
          // queued (QUEUED = 1, SENT = 2) become PENDING (1) recipient states; which recipients
          // had acknowledged before was kept only in memory and is lost.
          new Step(
              2,
              "durable per-recipient delivery state, outbox enqueue time",
              List.of(
                  "CREATE TABLE recipient_state (message_id BLOB NOT NULL,"
                      + " recipient BLOB NOT NULL, state INTEGER NOT NULL,"
                      + " PRIMARY KEY (message_id, recipient))",
                  "ALTER TABLE outbox ADD COLUMN enqueued_ms INTEGER NOT NULL DEFAULT 0",
                  "UPDATE outbox SET enqueued_ms = next_attempt_ms",
                  "INSERT OR IGNORE INTO recipient_state (message_id, recipient, state)"
                      + " SELECT o.envelope_id, o.recipient, 1 FROM outbox o"
                      + " JOIN message m ON m.message_id = o.envelope_id"
                      + " WHERE m.delivery IN (1, 2)")),
          new Step(
              3,
              "channel application messages kept for sync",
              List.of(
                  "CREATE TABLE sync_envelope (channel_id BLOB NOT NULL, sender BLOB NOT NULL,"
                      + " seq INTEGER NOT NULL, epoch INTEGER NOT NULL,"
                      + " mls_ct BLOB NOT NULL, PRIMARY KEY (channel_id, sender, seq))")),
          // No SQL: SqliteStorage's hook re-seals every message body and kept MLS message padded
          // to size buckets, in this step's transaction (issue 14). Unpadded blobs still read.
          new Step(4, "stored bodies padded to size buckets", List.of()),
          // SqliteStorage's hook creates the blinding key and blinds the lookup-only ids of
          // existing rows in this step's transaction (see Blinder).
          new Step(
              5,
              "lookup-only identifiers blinded",
              List.of("CREATE TABLE blind_key (id INTEGER PRIMARY KEY, key_ct BLOB NOT NULL)")),
          new Step(
              6,
              "sync tombstones, mailboxes kept for unreachable members",
              List.of(
                  "ALTER TABLE sync_envelope ADD COLUMN tomb INTEGER NOT NULL DEFAULT 0",
                  "CREATE TABLE mailbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                      + " recipient BLOB NOT NULL, envelope_id BLOB NOT NULL,"
                      + " space_id BLOB NOT NULL, envelope_ct BLOB NOT NULL,"
                      + " deposited_ms INTEGER NOT NULL, UNIQUE (recipient, envelope_id))",
                  "CREATE INDEX mailbox_deposited ON mailbox (deposited_ms)")),
          // Issue 12: the persisted address book. Each row is one sealed KnownPeerCodec blob: no
          // peer id or address in clear.
          new Step(
              7,
              "persisted address book",
              List.of(
                  "CREATE TABLE IF NOT EXISTS known_peer (seq INTEGER PRIMARY KEY, data_ct BLOB NOT NULL)")),
          // Issue 14. No SQL: SqliteStorage's
          // hook re-seals names, space operations, outbox copies, held and mailbox envelopes
          // padded to size buckets, then blinds space_op.space_id and mailbox.recipient (see
          // Blinder.COLUMNS_STEP_8). Group states and key packages are padded when next written
          // (their sealed blobs are bound to ids that are already blinded).
          new Step(8, "more blobs padded, space and recipient ids of two tables blinded",
              List.of()),
          // Issue 10 (h10, wave 4; renumber at merge if needed): small node-service state that
          // must survive a restart (depositable direct envelopes, pending channel join requests).
          // The key is blinded; key and value are sealed together in value_ct.
          new Step(
              9,
              "node records",
              List.of(
                  "CREATE TABLE IF NOT EXISTS node_record (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                      + " kind INTEGER NOT NULL, record_key BLOB NOT NULL,"
                      + " value_ct BLOB NOT NULL, UNIQUE (kind, record_key))")),
          // Issue 14 (step 10, after step 9's node records). Each table
          // that kept ids in clear gains ids_ct, the row's ids sealed (see RowIds); SqliteStorage's
          // hook seals them, blinds the lookup columns and empties the others (RowIds.STEP_10).
          new Step(10, "space, channel, message, envelope and peer ids blinded or sealed",
              List.of(
                  "ALTER TABLE space ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE channel ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE space_op ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE message ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE outbox ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE recipient_state ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE pending_envelope ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE mailbox ADD COLUMN ids_ct BLOB",
                  "ALTER TABLE sync_envelope ADD COLUMN ids_ct BLOB")));

  /** Java work of a step, run after its statements and before its commit. */
  @FunctionalInterface
  interface Hook {
    void run(Connection connection) throws SQLException, StorageException;
  }

  /** The schema version this code writes: the last step's. */
  static final int LATEST = STEPS.get(STEPS.size() - 1).version();

  private SchemaMigrations() {}

  /**
   * Brings the database on the connection (autocommit off) to {@link #LATEST} and commits.
   *
   * @return the version the database had before, 0 for a new database
   * @throws StorageException if the database is newer than this code or a step fails
   */
  static int migrate(Connection connection) throws StorageException {
    return migrate(connection, java.util.Map.of());
  }

  /**
   * Brings the database to {@link #LATEST} like {@link #migrate(Connection)}, running each step's
   * hook, if any, after its statements in the same transaction.
   *
   * @param hooks Java work by step version
   * @return the version the database had before, 0 for a new database
   * @throws StorageException if the database is newer than this code or a step fails
   */
  static int migrate(Connection connection, java.util.Map<Integer, Hook> hooks)
      throws StorageException {
    try (Statement st = connection.createStatement()) {
      int current = currentVersion(st);
      if (current > LATEST) {
        connection.rollback();
        throw new StorageException(
            "database schema version " + current + " is newer than this SDK supports ("
                + LATEST + "); upgrade the SDK");
      }
      if (current == 0) {
        st.executeUpdate("CREATE TABLE schema_version (version INTEGER NOT NULL)");
        st.executeUpdate("INSERT INTO schema_version (version) VALUES (0)");
      }
      for (Step step : STEPS) {
        if (step.version() > current) {
          for (String sql : step.statements()) {
            st.executeUpdate(sql);
          }
          Hook hook = hooks.get(step.version());
          if (hook != null && current > 0) { // a new database has nothing to rewrite
            hook.run(connection);
          }
          st.executeUpdate("UPDATE schema_version SET version = " + step.version());
        }
      }
      connection.commit();
      return current;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StorageException("database migration failed", e);
    } catch (StorageException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Returns the stored schema version, 0 if the database has no schema yet. */
  static int currentVersion(Statement st) throws SQLException, StorageException {
    try (ResultSet rs =
        st.executeQuery(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                + " AND name = 'schema_version'")) {
      rs.next();
      if (rs.getInt(1) == 0) {
        return 0;
      }
    }
    try (ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
      if (!rs.next()) {
        throw new StorageException("database schema_version table is empty");
      }
      int version = rs.getInt(1);
      if (rs.next() || version < 0) {
        throw new StorageException("database schema_version table is malformed");
      }
      return version;
    }
  }
}
