package io.spacepanda.spi;

/**
 * Where a SpacePanda node keeps its state: keys, MLS group states, spaces and channels, messages,
 * the outbox, pending envelopes and invites.
 *
 * <p>All access runs in transactions through {@link #inTransaction}: a received message, the group
 * state it advanced and the outbox entries it created commit together or not at all, and nothing
 * is reported done before it is durable. Two implementations ship with the SDK, made by {@link
 * io.spacepanda.Storages}: {@code inMemory()} for tests and ephemeral nodes, and {@code
 * sqlite(Path)} (SQLite on disk, secrets and message content encrypted at rest). A third-party
 * implementation proves itself by passing the contract test kit {@code
 * io.spacepanda.spi.StorageContractTest} from the SDK's test-jar.
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
}
