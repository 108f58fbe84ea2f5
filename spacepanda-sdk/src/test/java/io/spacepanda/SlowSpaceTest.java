package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spacepanda.spi.Id;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.TransactionWork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spaces are separate actors: while one space's step is stuck in storage, another space of the
 * same node still sends, and the stuck one finishes once storage answers.
 */
class SlowSpaceTest {

  private static final long WAIT_SECONDS = 10;

  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final CountDownLatch blocked = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private SpacePanda node;

  @AfterEach
  void tearDown() throws InterruptedException {
    release.countDown();
    if (node != null) {
      node.close();
    }
    workers.shutdownNow();
    assertTrue(workers.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS), "workers stopped");
  }

  /**
   * Holds the next transaction once armed, before it takes the store (whose transactions run one
   * at a time, so holding inside it would stall every space), and records what it wrote.
   */
  private final class HoldingStorage implements Storage {
    private final Storage delegate = Storages.inMemory();
    final AtomicBoolean armed = new AtomicBoolean();
    final AtomicReference<Id> heldInsertedInto = new AtomicReference<>();

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
        throws StorageException, X {
      if (!armed.compareAndSet(true, false)) {
        return delegate.inTransaction(work);
      }
      blocked.countDown();
      try {
        if (!release.await(WAIT_SECONDS * 3, TimeUnit.SECONDS)) {
          throw new StorageException("the test never released the held transaction");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while held");
      }
      return delegate.inTransaction(t -> work.run(recording(t)));
    }

    private StorageTransaction recording(StorageTransaction tx) {
      return (StorageTransaction) Proxy.newProxyInstance(
          StorageTransaction.class.getClassLoader(), new Class<?>[] {StorageTransaction.class},
          (proxy, method, args) -> {
            if (method.getName().equals("insertMessage")) {
              heldInsertedInto.set(((StoredMessage) args[0]).channelId());
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

  @Test
  void oneSpaceStuckInStorage_anotherSpaceStillSends() throws Exception {
    HoldingStorage storage = new HoldingStorage();
    node = SpacePanda.builder().p2p(false).storage(storage).executor(workers).build();
    await(node.start(), "start");
    Space a = await(node.createSpace("A"), "create space A");
    Space b = await(node.createSpace("B"), "create space B");
    Channel aGeneral = a.channel("general").orElseThrow();
    Channel bGeneral = b.channel("general").orElseThrow();

    storage.armed.set(true);
    CompletableFuture<Message> aSend = aGeneral.send("a: stuck");
    if (!blocked.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      fail("space A's send never reached storage within " + WAIT_SECONDS + " s");
    }

    Message bSent = await(bGeneral.send("b: goes through"), "space B's send while A is stuck");
    assertEquals("b: goes through", bSent.text());
    assertEquals(List.of("b: goes through"), texts(await(bGeneral.history(10, null),
        "space B's history while A is stuck")));
    assertFalse(aSend.isDone(), "space A's send completed while its transaction was held");

    release.countDown();
    assertEquals("a: stuck", await(aSend, "space A's send after release").text());
    assertEquals(List.of("a: stuck"), texts(await(aGeneral.history(10, null), "A's history")));
    assertEquals(Id.ofHex(aGeneral.id()), storage.heldInsertedInto.get(),
        "the held transaction was the one storing space A's message");
  }

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    try {
      return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not done within " + WAIT_SECONDS + " s: " + what, e);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + what + ": " + e.getCause(), e.getCause());
    }
  }
}
