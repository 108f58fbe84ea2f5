package io.spacepanda.internal.store;

/**
 * File names, formats and limits of the embedded stores, in one place.
 *
 * <p>Argon2id defaults follow RFC 9106 §4's second recommended option (64 MiB of memory, three
 * passes) with one lane, since the KDF runs once per open. The limits bound what is read back from
 * a keyset file before anything is allocated for it, so a damaged or hostile file cannot make the
 * open allocate gigabytes.
 */
final class StoreConstants {

  /** The SQLite database file inside the data directory. */
  static final String DATABASE_FILE = "spacepanda.db";

  /** The keyset file (the at-rest AEAD key, encrypted or not) next to the database. */
  static final String KEYSET_FILE = "spacepanda.keyset";

  /** The file locked while a store has the data directory open. */
  static final String LOCK_FILE = "spacepanda.lock";

  /** The first bytes of a keyset file. */
  static final byte[] KEYSET_MAGIC = {'S', 'P', 'K', 'S'};

  /** The keyset file format version this code writes and reads. */
  static final int KEYSET_FORMAT_VERSION = 1;

  /** The largest keyset file accepted, in bytes. */
  static final int MAX_KEYSET_FILE = 64 * 1024;

  /** Argon2id memory cost written into new keyset files, in KiB (64 MiB). */
  static final int ARGON2_MEMORY_KIB = 64 * 1024;

  /** Argon2id passes written into new keyset files. */
  static final int ARGON2_ITERATIONS = 3;

  /** Argon2id lanes written into new keyset files. */
  static final int ARGON2_PARALLELISM = 1;

  /** Largest Argon2id memory cost accepted from a keyset file, in KiB (256 MiB). */
  static final int MAX_ARGON2_MEMORY_KIB = 256 * 1024;

  /** Largest Argon2id pass count accepted from a keyset file. */
  static final int MAX_ARGON2_ITERATIONS = 64;

  /** Largest Argon2id lane count accepted from a keyset file. */
  static final int MAX_ARGON2_PARALLELISM = 16;

  /** Length of the random Argon2id salt, in bytes. */
  static final int SALT_LENGTH = 16;

  /** Milliseconds a connection waits for a lock held by another process. */
  static final int BUSY_TIMEOUT_MS = 5_000;

  private StoreConstants() {}
}
