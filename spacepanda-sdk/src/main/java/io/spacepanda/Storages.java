package io.spacepanda;

import io.spacepanda.internal.store.InMemoryStorage;
import io.spacepanda.internal.store.SqliteStorage;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.WrongPassphraseException;
import java.nio.file.Path;

/**
 * The {@link Storage} implementations that ship with the SDK: {@link #inMemory()} for tests and
 * ephemeral nodes, and {@link #sqlite(Path)} / {@link #sqlite(Path, char[])} (SQLite on disk,
 * secrets and message content encrypted at rest).
 *
 * <p>The factories live here rather than on the SPI so that {@code io.spacepanda.spi} depends on
 * nothing inside the SDK. Every method is thread-safe; each call returns a new store owned by the
 * caller (or by the node it is handed to), which closes it.
 */
public final class Storages {

  private Storages() {}

  /**
   * Returns a new, empty store that keeps everything in memory and loses it on close.
   *
   * @return the store
   */
  public static Storage inMemory() {
    return new InMemoryStorage();
  }

  /**
   * Opens or creates a SQLite store in a directory, without a passphrase.
   *
   * <p>Message bodies and secrets are still encrypted, but the key lies in cleartext next to the
   * database: this protects data that leaks without the key file (a copied database, its WAL, a
   * backup of the database alone, freed disk pages), not data on a stolen or copied directory. See
   * {@link #sqlite(Path, char[])} for protection of the whole directory.
   *
   * @param dataDir the directory; created if missing
   * @return the open store
   * @throws StorageException if the directory or database cannot be opened or was created with a
   *     passphrase ({@link WrongPassphraseException})
   * @throws IllegalArgumentException if {@code dataDir} is null
   */
  public static Storage sqlite(Path dataDir) throws StorageException {
    return SqliteStorage.open(dataDir, null);
  }

  /**
   * Opens or creates a SQLite store in a directory, its at-rest key protected by a passphrase.
   *
   * <p>The key that encrypts message bodies, group states, key material, outbox payloads, pending
   * envelopes, space operations and space and channel names is itself encrypted under a key
   * derived from the passphrase with Argon2id (64 MiB, 3 passes, 1 lane, 16-byte random salt).
   * A wrong passphrase throws {@link WrongPassphraseException} and modifies nothing on disk. The
   * passphrase array is not kept; the caller may wipe it after the call. Metadata (ids, Lamport
   * clocks, sequence numbers, times, content types, delivery states) is not encrypted. There is no
   * way to change the passphrase yet.
   *
   * @param dataDir the directory; created if missing
   * @param passphrase the passphrase, not empty
   * @return the open store
   * @throws WrongPassphraseException if the passphrase is wrong or the store has none
   * @throws StorageException if the directory or database cannot be opened
   * @throws IllegalArgumentException if an argument is null or the passphrase is empty
   */
  public static Storage sqlite(Path dataDir, char[] passphrase) throws StorageException {
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be null or empty");
    }
    return SqliteStorage.open(dataDir, passphrase);
  }
}
