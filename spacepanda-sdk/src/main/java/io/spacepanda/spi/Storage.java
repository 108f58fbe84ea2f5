package io.spacepanda.spi;

import io.spacepanda.internal.store.InMemoryStorage;
import io.spacepanda.internal.store.SqliteStorage;
import java.nio.file.Path;

/**
 * Where a SpacePanda node keeps its state: keys, MLS group states, spaces and channels, messages,
 * the outbox, pending envelopes and invites.
 *
 * <p>All access runs in transactions through {@link #inTransaction}: a received message, the group
 * state it advanced and the outbox entries it created commit together or not at all, and nothing
 * is reported done before it is durable. Two implementations ship with the SDK: {@link
 * #inMemory()} for tests and ephemeral nodes, and {@link #sqlite(Path)} (SQLite on disk, secrets
 * and message content encrypted at rest). A third-party implementation proves itself by passing
 * the contract test kit {@code io.spacepanda.spi.StorageContractTest} from the SDK's test-jar.
 *
 * <p>Implementations are thread-safe: any thread may start a transaction, and concurrent
 * transactions behave as if run one after another.
 */
public interface Storage extends AutoCloseable {

  /**
   * Runs work in one transaction that commits when the work returns and rolls back when it throws.
   *
   * <p>If the work throws (any exception or error), nothing it wrote is visible to anyone and the
   * exception is rethrown unchanged. If the commit itself fails, nothing is visible and a {@link
   * StorageException} is thrown. Transactions do not nest: calling {@code inTransaction} from
   * inside work throws {@link IllegalStateException}. When this method returns, the transaction is
   * durable to the degree the implementation documents.
   *
   * @param work what to do inside the transaction
   * @param <T> the result type
   * @param <X> the checked exception the work may throw
   * @return what the work returned
   * @throws StorageException if the store fails or the commit fails
   * @throws X if the work throws it
   * @throws IllegalArgumentException if {@code work} is null
   * @throws IllegalStateException if the store is closed or the call is nested in a transaction
   */
  <T, X extends Exception> T inTransaction(TransactionWork<T, X> work) throws StorageException, X;

  /**
   * Flushes everything to its durable place and releases the store's resources.
   *
   * <p>Waits for a running transaction to finish. Closing twice has no further effect; any later
   * {@link #inTransaction} throws {@link IllegalStateException}.
   *
   * @throws StorageException if flushing fails (the store is closed anyway)
   */
  @Override
  void close() throws StorageException;

  /**
   * Returns a new, empty store that keeps everything in memory and loses it on close.
   *
   * @return the store
   */
  static Storage inMemory() {
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
  static Storage sqlite(Path dataDir) throws StorageException {
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
  static Storage sqlite(Path dataDir, char[] passphrase) throws StorageException {
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be null or empty");
    }
    return SqliteStorage.open(dataDir, passphrase);
  }
}
