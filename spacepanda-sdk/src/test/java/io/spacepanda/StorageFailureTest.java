package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.TransactionWork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A storage failure while a message is received must not lose the message: the envelope is not
 * acknowledged, the node goes back to its stored state, and the sender's retry is stored.
 */
class StorageFailureTest {

  private long seed;
  private SimCluster cluster;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** Delegates to a store; fails the next {@code insertMessage} when asked to. */
  static final class FailingStorage implements Storage {
    private final Storage delegate;
    final AtomicBoolean failNextInsert = new AtomicBoolean();
    final AtomicInteger injected = new AtomicInteger();

    FailingStorage(Storage delegate) {
      this.delegate = delegate;
    }

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
        throws StorageException, X {
      return delegate.inTransaction(tx -> work.run(wrap(tx)));
    }

    private StorageTransaction wrap(StorageTransaction tx) {
      return (StorageTransaction) Proxy.newProxyInstance(StorageTransaction.class.getClassLoader(),
          new Class<?>[] {StorageTransaction.class}, (proxy, method, args) -> {
            if (method.getName().equals("insertMessage") && failNextInsert.getAndSet(false)) {
              injected.incrementAndGet();
              throw new StorageException("injected storage failure");
            }
            try {
              return method.invoke(tx, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public void close() throws StorageException {
      delegate.close();
    }
  }

  private static Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void storageFailureWhileReceiving_retriedCopyIsStoredAndReported() {
    FailingStorage bobStore = new FailingStorage(Storages.inMemory());
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob", bobStore, UnaryOperator.identity());
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    cluster.await(general(alice, space).send("one"));
    cluster.settle();

    bobStore.failNextInsert.set(true);
    cluster.await(general(alice, space).send("two"));
    cluster.settle();
    cluster.await(general(bob, space).send("three"));
    cluster.settle();

    assertEquals(1, bobStore.injected.get(), "the failure was injected (seed " + seed + ")");
    assertEquals(List.of("one", "two"), bob.events().texts(), "seed " + seed);
    assertEquals(List.of("one", "two", "three"), cluster.await(general(bob, space).history(10, null))
        .stream().map(Message::text).toList(), "seed " + seed);
    assertTrue(alice.events().texts().contains("three"), "bob still sends after the failure");
  }
}
