package io.spacepanda.internal.node;

import io.spacepanda.Storages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Channel;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.TransactionWork;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A step's writes commit in one transaction; its events and after-commit work run after the
 * commit and before its future completes; a failed step leaves nothing behind.
 */
class StepRunnerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Counts transactions; fails the next one when asked to (after its work ran). */
  static final class CountingStorage implements Storage {
    final Storage delegate = Storages.inMemory();
    final AtomicInteger transactions = new AtomicInteger();
    volatile boolean failNextCommit;

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
        throws StorageException, X {
      transactions.incrementAndGet();
      boolean fail = failNextCommit;
      failNextCommit = false;
      return delegate.inTransaction(t -> {
        T r = work.run(t);
        if (fail) {
          throw new StorageException("injected commit failure (expected by the test)");
        }
        return r;
      });
    }

    @Override
    public void close() throws StorageException {
      delegate.close();
    }

    Optional<SpaceRecord> space(Id id) throws StorageException {
      return delegate.<Optional<SpaceRecord>, RuntimeException>inTransaction(t -> t.space(id));
    }
  }

  /** Records the order of everything the runner does, as text. */
  private final List<String> log = new ArrayList<>();
  private final CountingStorage storage = new CountingStorage();
  private final Lane lane = new Lane("test", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);

  private final SpacePandaListener listener = new SpacePandaListener() {
    @Override
    public void onPeerConnected(PeerId peer) {
      log.add("event " + peer.toBase58().substring(0, 4));
    }

    @Override
    public void onChannelCreated(Channel channel) {
      log.add("event channel");
    }
  };

  private final StepRunner runner =
      new StepRunner(storage, new SerialExecutor(Runnable::run), listener,
          new NodeStats(io.spacepanda.NodeEventListener.none(), System::nanoTime));

  /** An owner that records its callbacks. */
  private final StepRunner.Owner owner = new StepRunner.Owner() {
    @Override
    public void rollBack() {
      log.add("rollBack");
    }

    @Override
    public void stepCommitted() {
      log.add("committed");
    }
  };

  @AfterEach
  void tearDown() throws StorageException {
    storage.close();
  }

  private static SpaceRecord space(int n) {
    return new SpaceRecord(Id.of(new byte[] {(byte) n, 1, 2, 3}), "space " + n,
        Id.of(new byte[] {9, 9}), T0);
  }

  @Test
  void submit_severalWrites_commitInOneTransaction() throws Exception {
    CompletableFuture<String> f = runner.submit(lane, owner, s -> {
      s.write(t -> t.putSpace(space(1)));
      s.write(t -> t.putSpace(space(2)));
      s.write(t -> t.putSpace(space(3)));
      return "ok";
    });

    assertEquals("ok", f.get());
    assertEquals(1, storage.transactions.get(), "one transaction for the whole step");
    for (int i = 1; i <= 3; i++) {
      assertTrue(storage.space(space(i).spaceId()).isPresent(), "space " + i + " stored");
    }
  }

  @Test
  void submit_noWrites_noTransaction() throws Exception {
    assertEquals(7, runner.submit(lane, owner, s -> 7).get());
    assertEquals(0, storage.transactions.get());
  }

  @Test
  void submit_success_eventsFireAfterCommitInOrder_afterCommitWorkBeforeTheFuture()
      throws Exception {
    PeerId p1 = PeerId.fromPublicKey(new byte[32]);
    byte[] k2 = new byte[32];
    k2[0] = 1;
    PeerId p2 = PeerId.fromPublicKey(k2);
    CompletableFuture<Void> f = runner.submit(lane, owner, s -> {
      s.event(l -> l.onPeerConnected(p1));
      s.write(t -> {
        log.add("write");
        t.putSpace(space(1));
      });
      s.afterCommit(() -> log.add("after-commit"));
      s.event(l -> l.onPeerConnected(p2));
      log.add("work");
      return null;
    });
    f.whenComplete((v, e) -> log.add("future"));
    f.get();

    String e1 = "event " + p1.toBase58().substring(0, 4);
    String e2 = "event " + p2.toBase58().substring(0, 4);
    assertEquals(List.of("work", "write", "committed", "after-commit", e1, e2, "future"), log);
  }

  @Test
  void submit_failingWrite_nothingVisible_rollBack_noEventsNoAfterCommit_futureFails()
      throws Exception {
    StorageException boom = new StorageException("injected write failure (expected by the test)");
    CompletableFuture<Void> f = runner.submit(lane, owner, s -> {
      s.write(t -> t.putSpace(space(1)));
      s.write(t -> {
        throw boom;
      });
      s.event(l -> l.onPeerConnected(PeerId.fromPublicKey(new byte[32])));
      s.afterCommit(() -> log.add("after-commit"));
      s.onFailure(() -> log.add("onFailure"));
      return null;
    });

    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertSame(boom, e.getCause());
    assertFalse(storage.space(space(1).spaceId()).isPresent(), "the first write was rolled back");
    assertEquals(List.of("onFailure", "rollBack"), log);
  }

  @Test
  void submit_failingCommit_rollsBackAndFailsWithTheCause() throws Exception {
    storage.failNextCommit = true;
    CompletableFuture<Void> f = runner.submit(lane, owner, s -> {
      s.write(t -> t.putSpace(space(1)));
      s.afterCommit(() -> log.add("after-commit"));
      return null;
    });

    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertTrue(e.getCause() instanceof StorageException, e.getCause().toString());
    assertFalse(storage.space(space(1).spaceId()).isPresent());
    assertEquals(List.of("rollBack"), log);
  }

  @Test
  void submit_workThrowsAfterTouching_rollsBack() {
    IllegalStateException boom = new IllegalStateException("expected by the test");
    CompletableFuture<Void> f = runner.submit(lane, owner, s -> {
      s.touch();
      throw boom;
    });

    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertSame(boom, e.getCause());
    assertEquals(List.of("rollBack"), log);
    assertEquals(0, storage.transactions.get());
  }

  @Test
  void submit_workThrowsWithoutTouching_noRollBack_onFailureRuns() {
    CompletableFuture<Void> f = runner.submit(lane, owner, s -> {
      s.onFailure(() -> log.add("onFailure"));
      throw new IllegalArgumentException("expected by the test");
    });

    assertThrows(ExecutionException.class, f::get);
    assertEquals(List.of("onFailure"), log);
  }

  @Test
  void submit_afterCommitWorkThrows_theStepStillSucceeds() throws Exception {
    CompletableFuture<Integer> f = runner.submit(lane, owner, s -> {
      s.write(t -> t.putSpace(space(1)));
      s.afterCommit(() -> {
        throw new IllegalStateException("expected by the test");
      });
      s.afterCommit(() -> log.add("second after-commit"));
      return 1;
    });

    assertEquals(1, f.get());
    assertEquals(List.of("committed", "second after-commit"), log);
  }
}
