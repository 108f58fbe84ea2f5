package io.spacepanda.internal.node;

import io.spacepanda.Storages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StoredMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox on the simulated network's virtual time, with a fake last step of the chain: retries
 * back off 2, 4, 8 … seconds up to 5 minutes, acknowledged copies leave it and advance the
 * message's delivery state, a copy failing {@link Outbox#MAX_ATTEMPTS} times is given up, and
 * stored copies are sent again after a restart.
 */
class OutboxTest {

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());
  private final SimulatedNetwork net = new SimulatedNetwork(seed);
  private final Storage storage = Storages.inMemory();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final SecureRandom random = new SecureRandom();
  private final PeerId bob = IdentityKey.generate(random).peerId();
  private final PeerId carol = IdentityKey.generate(random).peerId();

  /** One copy handed to the fake transport, and when. */
  record Attempt(PeerId to, Duration at, int attempt, CompletableFuture<Void> result) {}

  /** A node's context and outbox over the shared storage, as NodeRuntime.start() wires them. */
  final class Fixture {
    final NodeContext ctx;
    final Outbox outbox;
    final Lane lane;
    final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());

    /** @param answer what the fake transport answers to each copy (null: leave it pending) */
    Fixture(Function<Attempt, Boolean> answer) {
      SpacePandaListener listener = new SpacePandaListener() {
        @Override
        public void onDeliveryProgress(MessageId message, int acknowledged, int recipients) {
          events.add("progress " + acknowledged + "/" + recipients);
        }

        @Override
        public void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {
          events.add("failed " + (recipient.equals(bob) ? "bob" : "carol"));
        }
      };
      ctx = TestContexts.create(storage, net.clock(), net.scheduler(), listener);
      OutboundChain chain = new OutboundChain(List.of(c -> {
        Attempt a = new Attempt(c.copy().to(), net.now(), c.copy().attempt(),
            new CompletableFuture<>());
        attempts.add(a);
        Boolean ok = answer.apply(a);
        if (ok == Boolean.TRUE) {
          a.result().complete(null);
        } else if (ok == Boolean.FALSE) {
          a.result().completeExceptionally(new IllegalStateException("unreachable (test)"));
        }
        return a.result();
      }));
      outbox = new Outbox(ctx, chain);
      lane = new Lane("test", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);
    }

    /** Records copies of one message to the recipients in one step and dispatches them. */
    void send(byte[] messageId, PeerId... to) {
      Outbox.Delivery d = new Outbox.Delivery(MessageId.of(messageId), to.length);
      ctx.steps.submit(lane, null, s -> {
        List<OutboxEntry> entries = new ArrayList<>();
        for (PeerId p : to) {
          entries.add(outbox.enqueue(s, Id.of(messageId), new byte[] {1, 2, 3}, p));
        }
        s.afterCommit(() -> outbox.dispatch(entries, d));
        return null;
      }).join();
    }

    List<Duration> times() {
      synchronized (attempts) {
        return attempts.stream().map(Attempt::at).toList();
      }
    }
  }

  @AfterEach
  void tearDown() throws StorageException {
    storage.close();
  }

  private byte[] storedMessage(int n) throws StorageException {
    byte[] id = new byte[32];
    id[0] = (byte) n;
    StoredMessage m = new StoredMessage(Id.of(id), Id.of(new byte[16]), Id.of(new byte[32]), 1, 1,
        1, "hi".getBytes(), Instant.parse("2026-01-01T00:00:00Z"), DeliveryState.QUEUED);
    storage.<Void, RuntimeException>inTransaction(t -> {
      t.insertMessage(m);
      return null;
    });
    return id;
  }

  private DeliveryState state(byte[] id) throws StorageException {
    return storage.<DeliveryState, RuntimeException>inTransaction(
        t -> t.message(Id.of(id)).orElseThrow().deliveryState());
  }

  private List<OutboxEntry> stored() throws StorageException {
    return storage.<List<OutboxEntry>, RuntimeException>inTransaction(
        t -> t.dueOutbox(Instant.parse("2999-01-01T00:00:00Z"), Integer.MAX_VALUE));
  }

  @Test
  void backoff_doublesFromTwoSeconds_cappedAtFiveMinutes() {
    assertEquals(Duration.ofSeconds(2), Outbox.backoff(1));
    assertEquals(Duration.ofSeconds(4), Outbox.backoff(2));
    assertEquals(Duration.ofSeconds(8), Outbox.backoff(3));
    assertEquals(Duration.ofSeconds(256), Outbox.backoff(8));
    assertEquals(Outbox.MAX_BACKOFF, Outbox.backoff(9));
    assertEquals(Duration.ofMinutes(5), Outbox.backoff(Outbox.MAX_ATTEMPTS));
    assertEquals(Duration.ofMinutes(5), Outbox.backoff(Integer.MAX_VALUE));
  }

  @Test
  void failingCopy_isRetriedOnTheBackoffSchedule_thenDelivered() throws StorageException {
    Fixture f = new Fixture(a -> a.attempt() >= 4);
    byte[] id = storedMessage(1);
    f.send(id, bob);
    net.runFor(Duration.ofMinutes(10));

    assertEquals(List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(6),
        Duration.ofSeconds(14), Duration.ofSeconds(30)), f.times(), "seed " + seed);
    assertEquals(List.of(0, 1, 2, 3, 4), f.attempts.stream().map(Attempt::attempt).toList());
    assertEquals(List.of("failed bob", "failed bob", "failed bob", "failed bob", "progress 1/1"),
        events);
    assertEquals(List.of(), stored(), "the acknowledged copy left the outbox");
    assertEquals(DeliveryState.DELIVERED, state(id));
  }

  @Test
  void acknowledgedCopies_leaveTheOutbox_stateQueuedSentDelivered() throws StorageException {
    Fixture f = new Fixture(a -> null);
    byte[] id = storedMessage(2);
    f.send(id, bob, carol);
    assertEquals(2, f.attempts.size());
    assertEquals(2, stored().size());
    assertEquals(DeliveryState.QUEUED, state(id));

    f.attempts.get(0).result().complete(null);
    assertEquals(DeliveryState.SENT, state(id));
    assertEquals(1, stored().size());
    assertEquals(List.of("progress 1/2"), events);

    f.attempts.get(1).result().complete(null);
    assertEquals(DeliveryState.DELIVERED, state(id));
    assertEquals(List.of(), stored());
    assertEquals(List.of("progress 1/2", "progress 2/2"), events);
  }

  @Test
  void copyFailingMaxAttempts_isRemovedAndReportedFailed() throws StorageException {
    Fixture f = new Fixture(a -> false);
    byte[] id = storedMessage(3);
    f.send(id, bob);
    net.runFor(Duration.ofHours(12));

    assertEquals(Outbox.MAX_ATTEMPTS, f.attempts.size(), "seed " + seed);
    assertEquals(List.of(), stored(), "the copy was given up");
    assertEquals(DeliveryState.FAILED, state(id));
    assertEquals(Outbox.MAX_ATTEMPTS, events.stream().filter("failed bob"::equals).count());
    Duration last = f.times().get(f.times().size() - 1);
    Duration beforeLast = f.times().get(f.times().size() - 2);
    assertEquals(Outbox.MAX_BACKOFF, last.minus(beforeLast), "retries capped at 5 minutes");
    net.runFor(Duration.ofHours(1));
    assertEquals(Outbox.MAX_ATTEMPTS, f.attempts.size(), "no attempt after giving up");
  }

  @Test
  void storedCopies_areSentAgainAfterARestart() throws StorageException {
    Fixture first = new Fixture(a -> false);
    byte[] id = storedMessage(4);
    first.send(id, bob);
    assertEquals(1, first.attempts.size());
    first.outbox.close();
    assertEquals(1, stored().size(), "the failed copy stays stored");
    assertEquals(1, stored().get(0).attempts());

    net.runFor(Duration.ofSeconds(1));
    Fixture second = new Fixture(a -> true);
    second.outbox.load();
    second.outbox.resendAll();
    assertEquals(List.of(), second.attempts, "not before its next attempt time");
    net.runFor(Duration.ofMinutes(1));

    assertEquals(List.of(Duration.ofSeconds(2)), second.times(), "sent at its stored time");
    assertEquals(List.of(), first.attempts.subList(1, first.attempts.size()),
        "the closed outbox sent nothing more");
    assertEquals(List.of(), stored(), "acknowledged after the restart");
  }
}
