package io.spacepanda.spi;

/**
 * Work that {@link Storage#inTransaction} runs inside one storage transaction.
 *
 * <p>The work may throw a checked exception of its own type {@code X} (for example an MLS failure
 * while processing a received message); the transaction then rolls back and the exception reaches
 * the caller of {@code inTransaction} unchanged. When the work throws nothing checked, Java infers
 * {@code X} as {@link RuntimeException}.
 *
 * @param <T> the result of the work
 * @param <X> the checked exception the work may throw besides {@link StorageException}
 */
@FunctionalInterface
public interface TransactionWork<T, X extends Exception> {

  /**
   * Runs the work against an open transaction.
   *
   * <p>The transaction is valid only during this call; the work must not keep it or hand it to
   * another thread.
   *
   * @param tx the open transaction
   * @return the result handed back by {@code inTransaction}
   * @throws StorageException if a storage operation fails (the transaction rolls back)
   * @throws X if the work fails (the transaction rolls back)
   */
  T run(StorageTransaction tx) throws StorageException, X;
}
