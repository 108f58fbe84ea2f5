package io.spacepanda;

import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.TransactionWork;

/**
 * A node's durable state kept in memory across restarts, with crashes at chosen points: the "disk"
 * of a simulated member, much cheaper than SQLite's fsyncs, so that property tests can run many
 * seeds.
 *
 * <p>{@link #open()} gives the store a (re)started node uses; closing it leaves the data in place,
 * as closing a database leaves its file. {@link #crashAfter(int, Runnable)} arms a crash: right
 * after the n-th later transaction commits, the handle dies (every later transaction of that
 * node throws, as if the process were gone) and the hook runs (the test crashes the node's
 * transport, so nothing the node still tries to send, such as the acknowledgement of what it just
 * stored, leaves it). Everything committed before the crash is kept; nothing after it is written.
 * This is the crash "between a storage write and its acknowledgement". Transactions are atomic
 * (the in-memory store's undo log), as SQLite's are.
 */
final class CrashableStorage {

  private final Storage data = Storages.inMemory();
  private Handle current;

  /** @return a store for a newly started node; an earlier handle is dead from now on */
  synchronized Storage open() {
    if (current != null) {
      current.dead = true;
    }
    current = new Handle();
    return current;
  }

  /**
   * Arms a crash of the node using the current handle after its n-th next committed transaction.
   *
   * @param n 1 for the next transaction
   * @param hook runs at the crash, after the commit (crashes the transport)
   */
  synchronized void crashAfter(int n, Runnable hook) {
    current.countdown = n;
    current.hook = hook;
  }

  /** @return true once the armed crash happened (or no node runs on this store) */
  synchronized boolean crashed() {
    return current == null || current.dead;
  }

  private final class Handle implements Storage {
    private volatile boolean dead;
    private int countdown;
    private Runnable hook;

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
        throws StorageException, X {
      if (dead) {
        throw new StorageException("the node crashed");
      }
      T result = data.inTransaction(work);
      Runnable crash = null;
      synchronized (CrashableStorage.this) {
        if (countdown > 0 && --countdown == 0) {
          dead = true;
          crash = hook;
        }
      }
      if (crash != null) {
        crash.run();
      }
      return result;
    }

    @Override
    public void close() {
      dead = true;
    }
  }
}
