package io.spacepanda.internal.store;

import io.spacepanda.spi.Id;
import io.spacepanda.spi.StorageException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Blinds identifiers the store needs only to look rows up by (issue 14): such a column holds
 * HMAC-SHA-256(blinding key, table ‖ column ‖ id) instead of the id, so a thief of the files can
 * neither read the id nor confirm a guess, and equal ids in two tables do not link their rows.
 *
 * <p>The 32-byte blinding key is random, kept in table {@code blind_key} sealed by the store's
 * {@link AtRestCipher} (so under the passphrase, when one is set). Blinded columns: {@code
 * group_state.group_id}, {@code key_package.ref}, {@code invite.secret_hash}, {@code
 * sync_envelope.channel_id}, {@code recipient_state.message_id} (step 5), {@code
 * space_op.space_id} and {@code mailbox.recipient} (step 8). The associated data of sealed
 * blobs keeps naming the real id, so blinding changes no ciphertext.
 *
 * <p>Thread-safe: a fresh {@link Mac} per call.
 */
final class Blinder {

  /** The columns blinded by schema step 5, as {table, column}. */
  static final List<String[]> COLUMNS = List.of(
      new String[] {"group_state", "group_id"},
      new String[] {"key_package", "ref"},
      new String[] {"invite", "secret_hash"},
      new String[] {"sync_envelope", "channel_id"},
      new String[] {"recipient_state", "message_id"});

  /**
   * The columns blinded by schema step 8, as {table, column}: the space id of space operations
   * (read only by the space's id) and the recipient peer id of mailbox envelopes (read only by the
   * recipient's id).
   */
  static final List<String[]> COLUMNS_STEP_8 = List.of(
      new String[] {"space_op", "space_id"},
      new String[] {"mailbox", "recipient"});

  private static final byte[] DOMAIN = "spacepanda-blind-v1".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;

  private Blinder(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * Returns the blinded form of an id in one column.
   *
   * @param table the table
   * @param column the column
   * @param id the id
   * @return 32 bytes
   */
  Id blind(String table, String column, Id id) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] t = table.getBytes(StandardCharsets.US_ASCII);
      byte[] c = column.getBytes(StandardCharsets.US_ASCII);
      mac.update(DOMAIN);
      mac.update((byte) t.length);
      mac.update(t);
      mac.update((byte) c.length);
      mac.update(c);
      mac.update(id.toBytes());
      return Id.of(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * Loads the blinding key, creating it (uncommitted) when the store has none yet.
   *
   * @param c the connection, in a transaction
   * @param cipher the store's cipher
   * @param random for a new key
   * @return the blinder
   */
  static Blinder loadOrCreate(Connection c, AtRestCipher cipher, SecureRandom random)
      throws SQLException, StorageException {
    Id row = Id.of(new byte[] {0});
    try (PreparedStatement ps = c.prepareStatement("SELECT key_ct FROM blind_key WHERE id = 0");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        byte[] k = cipher.open(rs.getBytes(1), "blind_key", "key_ct", row);
        if (k.length != 32) {
          throw new StorageException("stored data failed authentication");
        }
        return new Blinder(k);
      }
    }
    byte[] k = new byte[32];
    random.nextBytes(k);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO blind_key (id, key_ct) VALUES (0, ?)")) {
      ps.setBytes(1, cipher.seal(k, "blind_key", "key_ct", row));
      ps.executeUpdate();
    }
    return new Blinder(k);
  }

  /**
   * Migration: replaces every id in the blinded columns by its blinded form, in the caller's
   * transaction.
   */
  void blindExistingRows(Connection c) throws SQLException, StorageException {
    blindExistingRows(c, COLUMNS);
  }

  /**
   * Migration: replaces every id in {@code columns} by its blinded form, in the caller's
   * transaction.
   *
   * @param c the connection
   * @param columns {table, column} pairs not blinded yet
   */
  void blindExistingRows(Connection c, List<String[]> columns) throws SQLException, StorageException {
    for (String[] tc : columns) {
      List<Object[]> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT rowid, " + tc[1] + " FROM " + tc[0]);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getLong(1), rs.getBytes(2)});
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE " + tc[0] + " SET " + tc[1] + " = ? WHERE rowid = ?")) {
        for (Object[] r : rows) {
          byte[] raw = (byte[]) r[1];
          Id id;
          try {
            id = Id.of(raw);
          } catch (IllegalArgumentException e) {
            throw new StorageException("malformed id in " + tc[0] + "." + tc[1]);
          }
          ps.setBytes(1, blind(tc[0], tc[1], id).toBytes());
          ps.setLong(2, (Long) r[0]);
          ps.executeUpdate();
        }
      }
    }
  }
}
