package io.spacepanda.internal.store;

import io.spacepanda.spi.Id;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Byte searches over store files, and old schemas made from new ones, for at-rest tests. */
final class SqliteStorageTestSupport {

  private SqliteStorageTestSupport() {}

  static boolean contains(byte[] haystack, byte[] needle) {
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

  /**
   * Turns a closed store (cleartext keyset) back into what schema step 9 wrote: every id that
   * step 10 sealed is put back in clear in its columns and the {@code ids_ct} columns are
   * dropped, so that tests of older schemas start from a genuine older database.
   */
  static void undoStep10(Path dir) throws Exception {
    AtRestCipher cipher = new AtRestCipher(KeysetFile.decode(
        Files.readAllBytes(dir.resolve(StoreConstants.KEYSET_FILE))).open(null));
    try (Connection c = DriverManager.getConnection(
        "jdbc:sqlite:" + dir.resolve(StoreConstants.DATABASE_FILE));
        Statement st = c.createStatement()) {
      for (RowIds.Spec s : RowIds.STEP_10) {
        List<Object[]> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT rowid, ids_ct, "
            + String.join(", ", s.key()) + " FROM " + s.table())) {
          while (rs.next()) {
            Id[] key = new Id[s.key().size()];
            for (int i = 0; i < key.length; i++) {
              key[i] = "seq".equals(s.key().get(i)) ? SqliteStorage.sequenceKey(rs.getLong(i + 3))
                  : Id.of(rs.getBytes(i + 3));
            }
            Id[] ids = RowIds.decode(cipher.open(rs.getBytes(2), s.table(), "ids_ct", key),
                s.sealed().size());
            rows.add(new Object[] {rs.getLong(1), ids});
          }
        }
        StringBuilder set = new StringBuilder();
        for (String col : s.sealed()) {
          set.append(set.length() == 0 ? "" : ", ").append(col).append(" = ?");
        }
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE " + s.table() + " SET " + set + " WHERE rowid = ?")) {
          for (Object[] r : rows) {
            Id[] ids = (Id[]) r[1];
            for (int i = 0; i < ids.length; i++) {
              ps.setBytes(i + 1, ids[i].toBytes());
            }
            ps.setLong(ids.length + 1, (Long) r[0]);
            ps.executeUpdate();
          }
        }
        st.executeUpdate("ALTER TABLE " + s.table() + " DROP COLUMN ids_ct");
      }
      st.executeUpdate("UPDATE schema_version SET version = 9");
    }
  }
}
