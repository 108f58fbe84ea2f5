package io.spacepanda.internal.store;

import io.spacepanda.spi.Id;
import io.spacepanda.spi.StorageException;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The identifiers of a row that are not kept in clear (issue 14, schema step 10): sealed together
 * in the row's {@code ids_ct} column, bound by the AEAD's associated data to the row's blinded
 * key, so that a row's ids cannot be moved to another row.
 *
 * <p>Encoding: one byte of count, then per id one byte of length (1 to {@value Id#MAX_LENGTH})
 * and its bytes. Stateless.
 */
final class RowIds {

  /** How each table with sealed ids keeps them, as migration step 10 converts it. */
  record Spec(String table, List<String> key, List<String> sealed, List<String> blinded,
      List<String> emptied) {}

  /**
   * The tables step 10 converts: {@code key} names the columns, in their stored (blinded) form,
   * that the sealed ids are bound to ({@code seq} as an 8-byte big-endian number); {@code sealed}
   * the columns whose clear ids are sealed, in this order; {@code blinded} the columns step 10
   * blinds; {@code emptied} the columns it empties (their ids are only in the seal now).
   */
  static final List<Spec> STEP_10 = List.of(
      new Spec("space", List.of("space_id"), List.of("space_id", "owner"),
          List.of("space_id"), List.of("owner")),
      new Spec("channel", List.of("channel_id"), List.of("channel_id", "space_id", "owner"),
          List.of("channel_id", "space_id"), List.of("owner")),
      new Spec("space_op", List.of("op_id"), List.of("op_id", "author"),
          List.of("op_id"), List.of("author")),
      new Spec("message", List.of("message_id"), List.of("message_id", "channel_id", "sender"),
          List.of("message_id", "channel_id"), List.of("sender")),
      new Spec("outbox", List.of("envelope_id", "recipient"), List.of("envelope_id", "recipient"),
          List.of("envelope_id", "recipient"), List.of()),
      new Spec("recipient_state", List.of("message_id", "recipient"), List.of("recipient"),
          List.of("recipient"), List.of()),
      new Spec("pending_envelope", List.of("envelope_id"), List.of("envelope_id"),
          List.of("envelope_id"), List.of()),
      new Spec("mailbox", List.of("recipient", "envelope_id"), List.of("envelope_id", "space_id"),
          List.of("envelope_id"), List.of("space_id")),
      new Spec("sync_envelope", List.of("channel_id", "sender", "seq"), List.of("sender"),
          List.of("sender"), List.of()));

  /** What an emptied id column holds. */
  static final byte[] NONE = new byte[0];

  private RowIds() {}

  /**
   * Migration step 10: in every table of {@link #STEP_10}, seals each row's clear ids into {@code
   * ids_ct}, blinds the {@code blinded} columns and empties the {@code emptied} ones, in pages of
   * rows read before any of them is written, in the migration's transaction. Rows with {@code
   * ids_ct} already set are left alone. Sealed blobs of the row (bodies, names, payloads) stay
   * bound to the clear ids, so no other ciphertext changes.
   *
   * @param c the connection, in the migration's transaction
   * @param cipher the store's cipher
   * @param blinder the store's blinder
   */
  static void sealExistingRows(Connection c, AtRestCipher cipher, Blinder blinder)
      throws SQLException, StorageException {
    for (Spec s : STEP_10) {
      List<String> read = new ArrayList<>(s.sealed());
      for (String k : s.key()) {
        if (!read.contains(k)) {
          read.add(k);
        }
      }
      StringBuilder set = new StringBuilder();
      for (String b : s.blinded()) {
        set.append(b).append(" = ?, ");
      }
      for (String e : s.emptied()) {
        set.append(e).append(" = X'', ");
      }
      set.append("ids_ct = ?");
      String select = "SELECT rowid, " + String.join(", ", read) + " FROM " + s.table()
          + " WHERE ids_ct IS NULL AND rowid > ? ORDER BY rowid LIMIT 256";
      String update = "UPDATE " + s.table() + " SET " + set + " WHERE rowid = ?";
      long last = Long.MIN_VALUE;
      try (PreparedStatement ps = c.prepareStatement(select);
          PreparedStatement up = c.prepareStatement(update)) {
        while (true) {
          List<Object[]> page = new ArrayList<>();
          ps.setLong(1, last);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Object[] row = new Object[read.size() + 1];
              row[0] = rs.getLong(1);
              for (int i = 0; i < read.size(); i++) {
                row[i + 1] = "seq".equals(read.get(i)) ? (Object) rs.getLong(i + 2)
                    : rs.getBytes(i + 2);
              }
              page.add(row);
            }
          }
          if (page.isEmpty()) {
            break;
          }
          for (Object[] row : page) {
            last = (Long) row[0];
            java.util.Map<String, Object> v = new java.util.HashMap<>();
            for (int i = 0; i < read.size(); i++) {
              v.put(read.get(i), row[i + 1]);
            }
            Id[] sealed = new Id[s.sealed().size()];
            for (int i = 0; i < sealed.length; i++) {
              sealed[i] = idOf(v.get(s.sealed().get(i)), s.table());
            }
            java.util.Map<String, Id> blind = new java.util.HashMap<>();
            for (String b : s.blinded()) {
              blind.put(b, blinder.blind(s.table(), b, idOf(v.get(b), s.table())));
            }
            Id[] key = new Id[s.key().size()];
            for (int i = 0; i < key.length; i++) {
              String k = s.key().get(i);
              key[i] = "seq".equals(k) ? SqliteStorage.sequenceKey((Long) v.get(k))
                  : blind.containsKey(k) ? blind.get(k) : idOf(v.get(k), s.table());
            }
            int at = 1;
            for (String b : s.blinded()) {
              up.setBytes(at++, blind.get(b).toBytes());
            }
            up.setBytes(at++, cipher.seal(encode(sealed), s.table(), "ids_ct", key));
            up.setLong(at, last);
            up.executeUpdate();
          }
        }
      }
    }
  }

  private static Id idOf(Object value, String table) throws StorageException {
    try {
      return Id.of((byte[]) value);
    } catch (RuntimeException e) {
      throw new StorageException("malformed id in " + table);
    }
  }

  static byte[] encode(Id... ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 + ids.length * 40);
    out.write(ids.length);
    for (Id id : ids) {
      byte[] b = id.toBytes();
      out.write(b.length);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  /**
   * @param bytes the opened encoding
   * @param count the number of ids expected
   * @return the ids
   * @throws StorageException if the encoding is malformed
   */
  static Id[] decode(byte[] bytes, int count) throws StorageException {
    if (bytes.length < 1 || (bytes[0] & 0xff) != count) {
      throw new StorageException("stored ids are malformed");
    }
    Id[] out = new Id[count];
    int at = 1;
    for (int i = 0; i < count; i++) {
      if (at >= bytes.length) {
        throw new StorageException("stored ids are malformed");
      }
      int n = bytes[at++] & 0xff;
      if (n == 0 || at + n > bytes.length) {
        throw new StorageException("stored ids are malformed");
      }
      out[i] = Id.of(java.util.Arrays.copyOfRange(bytes, at, at + n));
      at += n;
    }
    if (at != bytes.length) {
      throw new StorageException("stored ids are malformed");
    }
    return out;
  }
}
