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
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StoredMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox on the simulated network's virtual time, with a fake last step of the chain: retries
 * back off 2, 4, 8 … seconds up to 5 minutes, acknowledged copies leave it and advance the
 * message's delivery state from durable per-recipient states, a copy older than the delivery
 * horizon is given up with one failure event, and stored copies are sent again after a restart,
 * per recipient in send order and paced.
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
  record Attempt(PeerId to, Duration at, int attempt, byte[] envelope,
      CompletableFuture<Void> result) {}

  /** A node's context and outbox over the shared storage, as NodeRuntime.start() wires them. */
  final class Fixture {
    final NodeContext ctx;
    final Outbox outbox;
    final Lane lane;
    final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());

    /** @param answer what the fake transport answers to each copy (null: leave it pending) */
    Fixture(Function<Attempt, Boolean> answer) {
      this(answer, NodeConfig.DEFAULT_DELIVERY_HORIZON, List.of());
    }

    /**
     * @param answer what the fake transport answers to each copy (null: leave it pending)
     * @param horizon the delivery horizon
     * @param before interceptors before the fake transport
     */
    Fixture(Function<Attempt, Boolean> answer, Duration horizon,
        List<OutboundChain.Interceptor> before) {
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
      ctx = TestContexts.create(storage, net.clock(), net.scheduler(), listener, horizon);
      List<OutboundChain.Interceptor> chain = new ArrayList<>(before);
      chain.add(c -> {
        Attempt a = new Attempt(c.copy().to(), net.now(), c.copy().attempt(),
            c.copy().envelope(), new CompletableFuture<>());
        attempts.add(a);
        Boolean ok = answer.apply(a);
        if (ok == Boolean.TRUE) {
          a.result().complete(null);
        } else if (ok == Boolean.FALSE) {
          a.result().completeExceptionally(new IllegalStateException("unreachable (test)"));
        }
        return a.result();
      });
      outbox = new Outbox(ctx, new OutboundChain(chain));
      lane = new Lane("test", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);
    }

    /**
     * Records copies of one message (its id as the envelope) to the recipients in one step, with
     * their pending states, as SpaceActor.send does, and dispatches them.
     */
    void send(byte[] messageId, PeerId... to) {
      ctx.steps.submit(lane, null, s -> {
        List<OutboxEntry> entries =
            outbox.enqueueMessage(s, Id.of(messageId), messageId, List.of(to));
        s.afterCommit(() -> outbox.dispatch(entries));
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

  /** Stores an own message, QUEUED, with an id whose order differs from n's. */
  private byte[] storedMessage(int n) throws StorageException {
    byte[] id = NodeContext.sha256(new byte[] {(byte) n, (byte) (n >> 8)});
    StoredMessage m = new StoredMessage(Id.of(id), Id.of(new byte[16]), Id.of(new byte[32]), n, n,
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

  private Map<Id, RecipientState> recipientStates(byte[] id) throws StorageException {
    return storage.<Map<Id, RecipientState>, RuntimeException>inTransaction(
        t -> t.recipientStates(Id.of(id)));
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
    assertEquals(Duration.ofMinutes(5), Outbox.backoff(100));
    assertEquals(Duration.ofMinutes(5), Outbox.backoff(Integer.MAX_VALUE));
  }

  @Test
  void derive_queuedSentDeliveredFailed() {
    assertEquals(DeliveryState.QUEUED, Outbox.derive(2, 0, 0));
    assertEquals(DeliveryState.QUEUED, Outbox.derive(1, 0, 1));
    assertEquals(DeliveryState.SENT, Outbox.derive(1, 1, 0));
    assertEquals(DeliveryState.DELIVERED, Outbox.derive(0, 2, 0));
    assertEquals(DeliveryState.FAILED, Outbox.derive(0, 1, 1));
  }

  @Test
  void failingCopy_isRetriedOnTheBackoffSchedule_thenDelivered_noFailureEvents()
      throws StorageException {
    Fixture f = new Fixture(a -> a.attempt() >= 4);
    byte[] id = storedMessage(1);
    f.send(id, bob);
    net.runFor(Duration.ofMinutes(10));

    assertEquals(List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(6),
        Duration.ofSeconds(14), Duration.ofSeconds(30)), f.times(), "seed " + seed);
    assertEquals(List.of(0, 1, 2, 3, 4), f.attempts.stream().map(Attempt::attempt).toList());
    assertEquals(List.of("progress 1/1"), events, "a failed attempt is no failure event");
    assertEquals(List.of(), stored(), "the acknowledged copy left the outbox");
    assertEquals(DeliveryState.DELIVERED, state(id));
    assertEquals(Map.of(), recipientStates(id), "states of a delivered message are dropped");
  }

  @Test
  void acknowledgedCopies_leaveTheOutbox_stateQueuedSentDelivered() throws StorageException {
    Fixture f = new Fixture(a -> null);
    byte[] id = storedMessage(2);
    f.send(id, bob, carol);
    assertEquals(2, f.attempts.size());
    assertEquals(2, stored().size());
    assertEquals(DeliveryState.QUEUED, state(id));
    assertEquals(Map.of(NodeContext.peerKey(bob), RecipientState.PENDING,
        NodeContext.peerKey(carol), RecipientState.PENDING), recipientStates(id));

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
  void manyRecipients_progressCountsEachAcknowledgementOnce_inAnyOrder() throws StorageException {
    // settlement reads one state and the counts (not every state): same events and states
    Fixture f = new Fixture(a -> null);
    byte[] id = storedMessage(7);
    List<PeerId> to = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      to.add(IdentityKey.generate(random).peerId());
    }
    f.send(id, to.toArray(PeerId[]::new));
    assertEquals(49, f.attempts.size());
    List<Attempt> order = new ArrayList<>(f.attempts);
    Collections.shuffle(order, new Random(seed));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      order.get(i).result().complete(null);
      expected.add("progress " + (i + 1) + "/49");
      assertEquals(i < 48 ? DeliveryState.SENT : DeliveryState.DELIVERED, state(id),
          "after " + (i + 1) + " acknowledgements; seed " + seed);
    }
    assertEquals(expected, events, "seed " + seed);
    assertEquals(List.of(), stored());
    assertEquals(Map.of(), recipientStates(id));
    assertEquals(0, f.ctx.stats.outboxBacklog.get());
  }

  @Test
  void withdrawAfterDelivery_leavesTheBacklogGaugeAlone() throws StorageException {
    Fixture f = new Fixture(a -> true);
    byte[] id = storedMessage(8);
    f.send(id, bob);
    net.runFor(Duration.ofSeconds(1));
    assertEquals(0, f.ctx.stats.outboxBacklog.get(), "delivered");

    f.ctx.steps.submit(f.lane, null, s -> {
      f.outbox.withdraw(s, Id.of(id), bob);
      return null;
    }).join();
    net.runFor(Duration.ofSeconds(1));
    assertEquals(0, f.ctx.stats.outboxBacklog.get(), "nothing was removed: not lowered again");
  }

  @Test
  void withdrawWhileWaitingForBackoff_lowersTheGaugeOnce_andTheCopyIsNeverSentAgain()
      throws StorageException {
    Fixture f = new Fixture(a -> false);
    byte[] id = storedMessage(9);
    f.send(id, bob);
    net.runFor(Duration.ofSeconds(1));
    assertEquals(1, f.attempts.size());
    assertEquals(1, f.ctx.stats.outboxBacklog.get(), "waiting for its backoff");

    f.ctx.steps.submit(f.lane, null, s -> {
      f.outbox.withdraw(s, Id.of(id), bob);
      return null;
    }).join();
    net.runFor(Duration.ofMinutes(10));
    assertEquals(1, f.attempts.size(), "never sent again; seed " + seed);
    assertEquals(0, f.ctx.stats.outboxBacklog.get());
    assertEquals(List.of(), stored());
  }

  /**
   * A copy taken back while in flight leaves a key so that a queued resend is skipped; before,
   * the key stayed for good once the in-flight copy completed. It now leaves when the copy
   * completes (acknowledged or failed), and a key whose completion came first leaves a delivery
   * horizon later.
   */
  @Test
  void withdrawWhileInFlight_keyLeavesOnCompletion_orAfterTheHorizon() throws Exception {
    Fixture f = new Fixture(a -> null, Duration.ofMinutes(5), List.of());
    byte[] first = storedMessage(10);
    byte[] second = storedMessage(11);
    byte[] third = storedMessage(12);
    f.send(first, bob);
    f.send(second, bob);
    f.send(third, carol);
    net.runFor(Duration.ofSeconds(1));
    assertEquals(3, f.attempts.size(), "all three in flight");
    for (byte[] id : List.of(first, second)) {
      f.ctx.steps.submit(f.lane, null, s -> {
        f.outbox.withdraw(s, Id.of(id), bob);
        return null;
      }).join();
    }
    f.ctx.steps.submit(f.lane, null, s -> {
      f.outbox.withdraw(s, Id.of(third), carol);
      return null;
    }).join();
    net.runFor(Duration.ofSeconds(1));
    assertEquals(3, f.outbox.withdrawnCount().get(), "three in flight, taken back");

    f.attempts.get(0).result().complete(null);
    f.attempts.get(1).result().completeExceptionally(new IllegalStateException("test"));
    net.runFor(Duration.ofSeconds(1));
    assertEquals(1, f.outbox.withdrawnCount().get(), "acknowledged and failed: keys gone");
    net.runFor(Duration.ofMinutes(10));
    assertEquals(3, f.attempts.size(), "nothing sent again; seed " + seed);

    // The third never completes: its key leaves a horizon after it was taken back.
    byte[] fourth = storedMessage(13);
    f.send(fourth, bob);
    net.runFor(Duration.ofSeconds(1));
    f.ctx.steps.submit(f.lane, null, s -> {
      f.outbox.withdraw(s, Id.of(fourth), bob);
      return null;
    }).join();
    net.runFor(Duration.ofSeconds(1));
    assertEquals(1, f.outbox.withdrawnCount().get(), "the third's key expired; the fourth's kept");
  }

  @Test
  void copyToARecipientThatNeverComesBack_failsAtTheHorizon_withOneFailureEvent()
      throws StorageException {
    Fixture f = new Fixture(a -> a.to().equals(carol), Duration.ofMinutes(1), List.of());
    byte[] id = storedMessage(3);
    f.send(id, bob, carol);
    net.runFor(Duration.ofHours(2));

    List<Duration> toBob = f.attempts.stream().filter(a -> a.to().equals(bob))
        .map(Attempt::at).toList();
    assertEquals(List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(6),
        Duration.ofSeconds(14), Duration.ofSeconds(30), Duration.ofSeconds(60)), toBob,
        "backoff, the last attempt at the horizon; seed " + seed);
    assertEquals(List.of("progress 1/2", "failed bob"), events, "one failure event");
    assertEquals(List.of(), stored(), "the copy was given up");
    assertEquals(DeliveryState.FAILED, state(id));
    assertEquals(Map.of(NodeContext.peerKey(bob), RecipientState.FAILED,
        NodeContext.peerKey(carol), RecipientState.DELIVERED), recipientStates(id));
  }

  @Test
  void deliveryStateAfterARestart_endsDeliveredWhenTheRecipientAcknowledgesLater()
      throws StorageException {
    Fixture first = new Fixture(a -> a.to().equals(carol) ? Boolean.TRUE : null);
    byte[] id = storedMessage(4);
    first.send(id, bob, carol);
    assertEquals(DeliveryState.SENT, state(id));
    first.outbox.close();

    Fixture second = new Fixture(a -> true);
    second.outbox.load();
    second.outbox.resendAll();
    net.runFor(Duration.ofSeconds(1));

    assertEquals(1, second.attempts.size(), "only bob's copy was still queued");
    assertEquals(List.of("progress 1/2", "progress 2/2"), events,
        "progress counts what was acknowledged before the restart");
    assertEquals(DeliveryState.DELIVERED, state(id));
    assertEquals(List.of(), stored());
  }

  @Test
  void storedCopies_areSentAgainAfterARestart() throws StorageException {
    Fixture first = new Fixture(a -> false);
    byte[] id = storedMessage(5);
    first.send(id, bob);
    assertEquals(1, first.attempts.size());
    first.outbox.close();
    assertEquals(1, stored().size(), "the failed copy stays stored");
    assertEquals(1, stored().get(0).attempts());

    net.runFor(Duration.ofSeconds(1));
    Fixture second = new Fixture(a -> true);
    second.outbox.load();
    second.outbox.resendAll();
    net.runFor(Duration.ofMinutes(1));

    assertEquals(List.of(Duration.ofSeconds(1)), second.times(),
        "sent at once after the restart, not at its stale stored time");
    assertEquals(List.of(), first.attempts.subList(1, first.attempts.size()),
        "the closed outbox sent nothing more");
    assertEquals(List.of(), stored(), "acknowledged after the restart");
    assertEquals(DeliveryState.DELIVERED, state(id));
  }

  @Test
  void resendsAfterARestart_reachEachRecipientInSendOrder_pacedByTheWindow()
      throws StorageException {
    int n = 100;
    Fixture first = new Fixture(a -> null);
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] id = storedMessage(100 + i);
      sent.add(id);
      first.send(id, bob, carol);
    }
    first.outbox.close();

    int[] inFlight = new int[1];
    int[] maxInFlight = new int[1];
    Random delays = new Random(seed);
    Fixture second = new Fixture(a -> {
      inFlight[0]++;
      maxInFlight[0] = Math.max(maxInFlight[0], inFlight[0]);
      net.scheduler().schedule(Duration.ofMillis(1 + delays.nextInt(200)), () -> {
        inFlight[0]--;
        a.result().complete(null);
      });
      return null;
    }, NodeConfig.DEFAULT_DELIVERY_HORIZON,
        List.of(OutboundChain.window(NodeRuntime.MAX_COPIES_IN_FLIGHT_PER_PEER)));
    second.outbox.load();
    second.outbox.resendAll();
    net.runFor(Duration.ofMinutes(1));

    for (PeerId p : List.of(bob, carol)) {
      List<Id> order = second.attempts.stream().filter(a -> a.to().equals(p))
          .map(a -> Id.of(a.envelope())).toList();
      assertEquals(sent.stream().map(Id::of).toList(), order, "send order; seed " + seed);
    }
    assertTrue(maxInFlight[0] <= 2 * NodeRuntime.MAX_COPIES_IN_FLIGHT_PER_PEER,
        "paced, not released at once: " + maxInFlight[0]);
    assertEquals(List.of(), stored());
    for (byte[] id : sent) {
      assertEquals(DeliveryState.DELIVERED, state(id));
    }
  }
}
