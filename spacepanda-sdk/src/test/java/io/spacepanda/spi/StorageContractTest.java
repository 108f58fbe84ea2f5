package io.spacepanda.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Storage} implementation must pass, shipped in the SDK's test-jar.
 *
 * <p>Subclass it, return a fresh empty store from {@link #newStorage()}, and, for a durable store,
 * override {@link #isDurable()} and {@link #reopen()} to open the same data again after the kit
 * closed the store. The kit closes the store after each test. Tests use fixed times and never
 * assert on timing.
 */
public abstract class StorageContractTest {

  /** A fixed point in time the tests count from. */
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The store under test; replaced by {@link #reopenStore()}. */
  protected Storage storage;

  /** For subclasses, one per implementation under test. */
  protected StorageContractTest() {}

  /**
   * Returns a new, empty store.
   *
   * @return the store
   * @throws Exception if it cannot be created
   */
  protected abstract Storage newStorage() throws Exception;

  /**
   * Returns whether the store keeps its data across close and {@link #reopen()}.
   *
   * @return true for durable stores; false by default
   */
  protected boolean isDurable() {
    return false;
  }

  /**
   * Opens the data of the store last returned by {@link #newStorage()} again, after it was closed.
   *
   * @return the reopened store
   * @throws Exception if it cannot be opened
   */
  protected Storage reopen() throws Exception {
    throw new UnsupportedOperationException("not a durable store");
  }

  @BeforeEach
  void openStore() throws Exception {
    storage = newStorage();
  }

  @AfterEach
  void closeStore() throws Exception {
    storage.close();
  }

  /** Closes the store and reopens its data; skips the test for stores that are not durable. */
  protected void reopenStore() throws Exception {
    Assumptions.assumeTrue(isDurable(), "store is not durable");
    storage.close();
    storage = reopen();
  }

  // ---- fixtures

  /** Returns an id of {@code length} bytes derived from a label. */
  protected static Id id(String label, int length) {
    byte[] bytes = new byte[length];
    byte[] src = label.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(src, 0, bytes, 0, Math.min(src.length, length));
    return Id.of(bytes);
  }

  /** Returns a 32-byte message id derived from a number. */
  protected static Id messageId(long n) {
    return Id.of(ByteBuffer.allocate(StoredMessage.MESSAGE_ID_LENGTH).putLong(n).array());
  }

  private static final Id CHANNEL = id("channel-1", 16);
  private static final Id OTHER_CHANNEL = id("channel-2", 16);
  private static final Id ALICE = id("alice", 38);
  private static final Id BOB = id("bob", 38);
  private static final Id CAROL = id("carol", 38);

  /** Returns a received message in {@code channel} with the given ordering fields. */
  protected static StoredMessage message(
      long n, Id channel, Id sender, long lamport, long seq, String body) {
    return new StoredMessage(
        messageId(n),
        channel,
        sender,
        lamport,
        seq,
        1,
        body.getBytes(StandardCharsets.UTF_8),
        T0.plusMillis(n),
        DeliveryState.RECEIVED);
  }

  private <T> T tx(TransactionWork<T, RuntimeException> work) throws StorageException {
    return storage.inTransaction(work);
  }

  private boolean bool(TransactionWork<Boolean, RuntimeException> work) throws StorageException {
    return storage.inTransaction(work);
  }

  private int count(TransactionWork<Integer, RuntimeException> work) throws StorageException {
    return storage.inTransaction(work);
  }

  private static List<Long> lamports(List<StoredMessage> messages) {
    List<Long> out = new ArrayList<>();
    for (StoredMessage m : messages) {
      out.add(m.lamport());
    }
    return out;
  }

  // ---- transactions

  @Test
  void inTransaction_workReturns_everythingCommitted() throws Exception {
    String result =
        tx(t -> {
          t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "hello"));
          t.putGroupState(CHANNEL, SecretBlob.copyOf(new byte[] {1, 2, 3}));
          return "done";
        });
    assertEquals("done", result);
    assertTrue(tx(t -> t.message(messageId(1))).isPresent());
    assertTrue(tx(t -> t.groupState(CHANNEL)).isPresent());
  }

  @Test
  void inTransaction_workThrows_nothingVisibleAndExceptionRethrown() throws Exception {
    tx(t -> t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "before")));
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                tx(t -> {
                  t.insertMessage(message(2, CHANNEL, ALICE, 2, 2, "lost"));
                  t.updateDeliveryState(messageId(1), DeliveryState.FAILED);
                  t.putGroupState(CHANNEL, SecretBlob.copyOf(new byte[] {9}));
                  t.enqueueOutbox(
                      new OutboxEntry(id("env", 8), BOB, new byte[] {1}, T0, 0));
                  t.putInvite(new Invite(id("invite", 32), T0.plusSeconds(60), false));
                  t.putSpace(new SpaceRecord(id("space", 16), "Team", ALICE, T0));
                  throw boom;
                }));
    assertSame(boom, thrown);
    tx(t -> {
      assertTrue(t.message(messageId(2)).isEmpty());
      assertEquals(DeliveryState.RECEIVED, t.message(messageId(1)).orElseThrow().deliveryState());
      assertTrue(t.groupState(CHANNEL).isEmpty());
      assertTrue(t.dueOutbox(T0.plusSeconds(1), 10).isEmpty());
      assertTrue(t.invite(id("invite", 32)).isEmpty());
      assertTrue(t.spaces().isEmpty());
      assertEquals(1, t.history(CHANNEL, null, 10).size());
      return null;
    });
  }

  @Test
  void inTransaction_workThrowsAfterDeletes_deletedDataComesBack() throws Exception {
    tx(t -> {
      t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "keep me"));
      t.putChannel(new ChannelRecord(CHANNEL, id("space", 16), "general", 0, ALICE, T0));
      t.putKeyPackage(id("kp", 32), SecretBlob.copyOf(new byte[] {7}));
      t.addPendingEnvelope(new PendingEnvelope(id("p", 32), new byte[] {5}, T0));
      return null;
    });
    assertThrows(
        IllegalStateException.class,
        () ->
            tx(t -> {
              t.deleteChannel(CHANNEL);
              t.deleteKeyPackage(id("kp", 32));
              t.prunePendingEnvelopes(0, T0.plusSeconds(1));
              throw new IllegalStateException("abort");
            }));
    tx(t -> {
      assertEquals("keep me", new String(t.message(messageId(1)).orElseThrow().body(),
          StandardCharsets.UTF_8));
      assertTrue(t.channel(CHANNEL).isPresent());
      assertTrue(t.keyPackage(id("kp", 32)).isPresent());
      assertEquals(1, t.pendingEnvelopes().size());
      return null;
    });
  }

  @Test
  void inTransaction_checkedExceptionOfWork_rethrownUnchanged() throws Exception {
    class WorkFailed extends Exception {
      WorkFailed() {
        super("work failed");
      }
    }
    WorkFailed failure = new WorkFailed();
    WorkFailed thrown =
        assertThrows(
            WorkFailed.class,
            () ->
                storage.inTransaction(
                    t -> {
                      t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "x"));
                      throw failure;
                    }));
    assertSame(failure, thrown);
    assertTrue(tx(t -> t.message(messageId(1))).isEmpty());
  }

  @Test
  void inTransaction_nested_fails() throws Exception {
    assertThrows(
        IllegalStateException.class, () -> tx(t -> storage.inTransaction(inner -> null)));
  }

  @Test
  void transaction_usedAfterItEnded_fails() throws Exception {
    AtomicReference<StorageTransaction> leaked = new AtomicReference<>();
    tx(t -> {
      leaked.set(t);
      return null;
    });
    assertThrows(IllegalStateException.class, () -> leaked.get().message(messageId(1)));
  }

  @Test
  void inTransaction_afterClose_fails() throws Exception {
    storage.close();
    assertThrows(IllegalStateException.class, () -> tx(t -> null));
  }

  @Test
  void inTransaction_nullWork_fails() {
    assertThrows(IllegalArgumentException.class, () -> storage.inTransaction(null));
  }

  @Test
  void operations_nullArgumentsOrNegativeLimits_fail() throws Exception {
    tx(t -> {
      assertThrows(IllegalArgumentException.class, () -> t.insertMessage(null));
      assertThrows(IllegalArgumentException.class, () -> t.message(null));
      assertThrows(IllegalArgumentException.class, () -> t.history(null, null, 1));
      assertThrows(IllegalArgumentException.class, () -> t.history(CHANNEL, null, -1));
      assertThrows(IllegalArgumentException.class, () -> t.dueOutbox(T0, -1));
      assertThrows(IllegalArgumentException.class, () -> t.dueOutbox(null, 1));
      assertThrows(IllegalArgumentException.class, () -> t.prunePendingEnvelopes(-1, T0));
      assertThrows(IllegalArgumentException.class, () -> t.putGroupState(CHANNEL, null));
      assertThrows(IllegalArgumentException.class, () -> t.redeemInvite(null, T0));
      assertThrows(IllegalArgumentException.class, () -> t.nodeKey(null));
      return null;
    });
  }

  // ---- messages

  @Test
  void insertMessage_sameIdTwice_secondIsNotNewAndFirstKept() throws Exception {
    assertTrue(bool(t -> t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "first"))));
    assertFalse(bool(t -> t.insertMessage(message(1, CHANNEL, BOB, 9, 9, "second"))));
    StoredMessage stored = tx(t -> t.message(messageId(1))).orElseThrow();
    assertEquals(message(1, CHANNEL, ALICE, 1, 1, "first"), stored);
    assertEquals(1, tx(t -> t.history(CHANNEL, null, 10)).size());
  }

  @Test
  void insertMessage_sameIdTwiceInOneTransaction_secondIsNotNew() throws Exception {
    List<Boolean> results =
        tx(t -> List.of(
            t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "a")),
            t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "a"))));
    assertEquals(List.of(true, false), results);
  }

  @Test
  void message_roundTrip_allFieldsKept() throws Exception {
    StoredMessage m =
        new StoredMessage(
            messageId(42),
            CHANNEL,
            ALICE,
            Long.MAX_VALUE,
            123,
            7,
            new byte[] {0, -1, 2, -3},
            T0.plusMillis(5),
            DeliveryState.QUEUED);
    tx(t -> t.insertMessage(m));
    assertEquals(Optional.of(m), tx(t -> t.message(messageId(42))));
  }

  @Test
  void history_insertedOutOfOrder_returnedInDisplayOrder() throws Exception {
    tx(t -> {
      t.insertMessage(message(1, CHANNEL, BOB, 2, 1, "b2"));
      t.insertMessage(message(2, CHANNEL, ALICE, 2, 5, "a2"));
      t.insertMessage(message(3, CHANNEL, ALICE, 1, 4, "a1"));
      t.insertMessage(message(4, CHANNEL, ALICE, 2, 6, "a2'"));
      t.insertMessage(message(5, CHANNEL, BOB, 3, 2, "b3"));
      t.insertMessage(message(6, OTHER_CHANNEL, BOB, 0, 0, "elsewhere"));
      return null;
    });
    List<StoredMessage> all = tx(t -> t.history(CHANNEL, null, 100));
    List<String> bodies = new ArrayList<>();
    for (StoredMessage m : all) {
      bodies.add(new String(m.body(), StandardCharsets.UTF_8));
    }
    // (lamport, sender, seq): alice sorts before bob by PeerId bytes.
    assertEquals(List.of("a1", "a2", "a2'", "b2", "b3"), bodies);
  }

  @Test
  void history_senderIdsCompareUnsigned() throws Exception {
    Id low = Id.of(new byte[] {0x01});
    Id high = Id.of(new byte[] {(byte) 0xF0});
    tx(t -> {
      t.insertMessage(message(1, CHANNEL, high, 1, 1, "high"));
      t.insertMessage(message(2, CHANNEL, low, 1, 1, "low"));
      return null;
    });
    List<StoredMessage> all = tx(t -> t.history(CHANNEL, null, 10));
    assertEquals(low, all.get(0).senderPeerId());
    assertEquals(high, all.get(1).senderPeerId());
  }

  @Test
  void history_limit_returnsNewestPageOldestFirst() throws Exception {
    tx(t -> {
      for (int i = 1; i <= 10; i++) {
        t.insertMessage(message(i, CHANNEL, ALICE, i, i, "m" + i));
      }
      return null;
    });
    assertEquals(List.of(8L, 9L, 10L), lamports(tx(t -> t.history(CHANNEL, null, 3))));
    assertEquals(List.of(), tx(t -> t.history(CHANNEL, null, 0)));
    assertEquals(10, tx(t -> t.history(CHANNEL, null, 1000)).size());
    assertEquals(List.of(), tx(t -> t.history(id("nobody", 16), null, 10)));
  }

  @Test
  void history_pagingWithBefore_visitsEveryMessageOnceInOrder() throws Exception {
    Random random = new Random(7);
    List<StoredMessage> inserted = new ArrayList<>();
    Id[] senders = {ALICE, BOB, id("carol", 38)};
    for (int i = 0; i < 57; i++) {
      inserted.add(
          message(i, CHANNEL, senders[random.nextInt(3)], random.nextInt(10), i, "m" + i));
    }
    List<StoredMessage> shuffled = new ArrayList<>(inserted);
    Collections.shuffle(shuffled, random);
    tx(t -> {
      for (StoredMessage m : shuffled) {
        t.insertMessage(m);
      }
      return null;
    });
    List<StoredMessage> expected = new ArrayList<>(inserted);
    expected.sort((a, b) -> a.cursor().compareTo(b.cursor()));

    List<StoredMessage> collected = new ArrayList<>();
    HistoryCursor before = null;
    while (true) {
      HistoryCursor cursor = before;
      List<StoredMessage> page = tx(t -> t.history(CHANNEL, cursor, 8));
      if (page.isEmpty()) {
        break;
      }
      collected.addAll(0, page);
      before = page.get(0).cursor();
    }
    assertEquals(expected, collected);
  }

  @Test
  void history_before_isExclusive() throws Exception {
    tx(t -> {
      t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "a"));
      t.insertMessage(message(2, CHANNEL, ALICE, 2, 2, "b"));
      t.insertMessage(message(3, CHANNEL, BOB, 2, 1, "c"));
      return null;
    });
    HistoryCursor atB = new HistoryCursor(2, ALICE, 2);
    assertEquals(List.of(1L), lamports(tx(t -> t.history(CHANNEL, atB, 10))));
    HistoryCursor afterAll = new HistoryCursor(100, ALICE, 0);
    assertEquals(3, tx(t -> t.history(CHANNEL, afterAll, 10)).size());
  }

  @Test
  void maxLamport_perChannel() throws Exception {
    assertEquals(OptionalLong.empty(), tx(t -> t.maxLamport(CHANNEL)));
    tx(t -> {
      t.insertMessage(message(1, CHANNEL, ALICE, 5, 1, "a"));
      t.insertMessage(message(2, CHANNEL, BOB, 3, 1, "b"));
      t.insertMessage(message(3, OTHER_CHANNEL, BOB, 99, 2, "c"));
      return null;
    });
    assertEquals(OptionalLong.of(5), tx(t -> t.maxLamport(CHANNEL)));
    assertEquals(OptionalLong.of(99), tx(t -> t.maxLamport(OTHER_CHANNEL)));
  }

  @Test
  void updateDeliveryState_knownAndUnknownMessages() throws Exception {
    tx(t -> t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "a")));
    assertTrue(bool(t -> t.updateDeliveryState(messageId(1), DeliveryState.DELIVERED)));
    assertFalse(bool(t -> t.updateDeliveryState(messageId(2), DeliveryState.DELIVERED)));
    assertEquals(
        DeliveryState.DELIVERED, tx(t -> t.message(messageId(1))).orElseThrow().deliveryState());
    assertEquals(
        DeliveryState.DELIVERED, tx(t -> t.history(CHANNEL, null, 1)).get(0).deliveryState());
  }

  @Test
  void deleteChannel_removesItsMessagesOnly() throws Exception {
    tx(t -> {
      t.putChannel(new ChannelRecord(CHANNEL, id("space", 16), "general", 0, ALICE, T0));
      t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "a"));
      t.insertMessage(message(2, OTHER_CHANNEL, ALICE, 1, 1, "b"));
      return null;
    });
    assertTrue(bool(t -> t.deleteChannel(CHANNEL)));
    assertTrue(tx(t -> t.message(messageId(1))).isEmpty());
    assertTrue(tx(t -> t.message(messageId(2))).isPresent());
    assertEquals(OptionalLong.empty(), tx(t -> t.maxLamport(CHANNEL)));
    assertFalse(bool(t -> t.deleteChannel(CHANNEL)));
  }

  // ---- secrets

  @Test
  void groupState_largeBlob_roundTripsAndReplaces() throws Exception {
    byte[] state = new byte[400_000];
    new Random(1).nextBytes(state);
    tx(t -> {
      t.putGroupState(CHANNEL, SecretBlob.copyOf(state));
      return null;
    });
    assertArrayEquals(state, tx(t -> t.groupState(CHANNEL)).orElseThrow().revealBytes());
    tx(t -> {
      t.putGroupState(CHANNEL, SecretBlob.copyOf(new byte[] {1}));
      return null;
    });
    assertArrayEquals(new byte[] {1}, tx(t -> t.groupState(CHANNEL)).orElseThrow().revealBytes());
    assertTrue(bool(t -> t.deleteGroupState(CHANNEL)));
    assertFalse(bool(t -> t.deleteGroupState(CHANNEL)));
    assertTrue(tx(t -> t.groupState(CHANNEL)).isEmpty());
  }

  @Test
  void keyPackages_putGetDelete() throws Exception {
    Id ref = id("ref", 32);
    tx(t -> {
      t.putKeyPackage(ref, SecretBlob.copyOf(new byte[] {4, 5, 6}));
      return null;
    });
    assertEquals(SecretBlob.copyOf(new byte[] {4, 5, 6}), tx(t -> t.keyPackage(ref)).orElseThrow());
    assertTrue(bool(t -> t.deleteKeyPackage(ref)));
    assertTrue(tx(t -> t.keyPackage(ref)).isEmpty());
  }

  @Test
  void nodeKeys_storedPerKindAndReplaced() throws Exception {
    tx(t -> {
      t.putNodeKey(NodeKeyKind.IDENTITY, SecretBlob.copyOf(new byte[] {1}));
      t.putNodeKey(NodeKeyKind.INBOX, SecretBlob.copyOf(new byte[] {2}));
      t.putNodeKey(NodeKeyKind.INBOX, SecretBlob.copyOf(new byte[] {3}));
      return null;
    });
    assertEquals(
        SecretBlob.copyOf(new byte[] {1}), tx(t -> t.nodeKey(NodeKeyKind.IDENTITY)).orElseThrow());
    assertEquals(
        SecretBlob.copyOf(new byte[] {3}), tx(t -> t.nodeKey(NodeKeyKind.INBOX)).orElseThrow());
  }

  // ---- spaces and channels

  @Test
  void spacesAndChannels_putListDelete() throws Exception {
    Id space = id("space-a", 16);
    Id other = id("space-b", 16);
    SpaceRecord spaceRecord = new SpaceRecord(space, "Team ✓", ALICE, T0);
    ChannelRecord general = new ChannelRecord(id("c-general", 16), space, "general", 1, ALICE, T0);
    ChannelRecord random = new ChannelRecord(id("c-random", 16), space, "random", 1, BOB, T0);
    ChannelRecord elsewhere = new ChannelRecord(id("c-x", 16), other, "x", 2, BOB, T0);
    tx(t -> {
      t.putSpace(spaceRecord);
      t.putSpace(new SpaceRecord(other, "Other", BOB, T0));
      t.putChannel(random);
      t.putChannel(general);
      t.putChannel(elsewhere);
      t.appendSpaceOperation(new SpaceOperation(id("op", 16), space, 1, ALICE, new byte[] {1}));
      return null;
    });
    assertEquals(Optional.of(spaceRecord), tx(t -> t.space(space)));
    assertEquals(2, tx(t -> t.spaces()).size());
    assertEquals(List.of(general, random), tx(t -> t.channels(space)));
    ChannelRecord renamed = new ChannelRecord(general.channelId(), space, "lobby", 1, ALICE, T0);
    tx(t -> {
      t.putChannel(renamed);
      return null;
    });
    assertEquals(Optional.of(renamed), tx(t -> t.channel(general.channelId())));

    assertTrue(bool(t -> t.deleteSpace(space)));
    assertTrue(tx(t -> t.space(space)).isEmpty());
    assertEquals(List.of(), tx(t -> t.channels(space)));
    assertEquals(List.of(), tx(t -> t.spaceOperations(space)));
    assertEquals(List.of(elsewhere), tx(t -> t.channels(other)));
  }

  @Test
  void spaceOperations_uniqueByIdAndOrderedByLamportAuthorId() throws Exception {
    Id space = id("space", 16);
    SpaceOperation op1 = new SpaceOperation(id("op-1", 16), space, 2, BOB, new byte[] {1});
    SpaceOperation op2 = new SpaceOperation(id("op-2", 16), space, 2, ALICE, new byte[] {2});
    SpaceOperation op3 = new SpaceOperation(id("op-3", 16), space, 1, BOB, new byte[] {3});
    SpaceOperation op4 = new SpaceOperation(id("op-4", 16), space, 2, ALICE, new byte[] {4});
    List<Boolean> added =
        tx(t -> List.of(
            t.appendSpaceOperation(op1),
            t.appendSpaceOperation(op2),
            t.appendSpaceOperation(op3),
            t.appendSpaceOperation(op4),
            t.appendSpaceOperation(
                new SpaceOperation(id("op-1", 16), space, 0, ALICE, new byte[] {9}))));
    assertEquals(List.of(true, true, true, true, false), added);
    assertEquals(List.of(op3, op2, op4, op1), tx(t -> t.spaceOperations(space)));
  }

  // ---- outbox

  @Test
  void outbox_dueReturnsOnlyDueEntriesEarliestFirstWithinLimit() throws Exception {
    OutboxEntry late = new OutboxEntry(id("e1", 8), BOB, new byte[] {1}, T0.plusSeconds(30), 0);
    OutboxEntry early = new OutboxEntry(id("e2", 8), BOB, new byte[] {2}, T0.plusSeconds(10), 0);
    OutboxEntry now = new OutboxEntry(id("e3", 8), ALICE, new byte[] {3}, T0.plusSeconds(20), 0);
    tx(t -> {
      t.enqueueOutbox(late);
      t.enqueueOutbox(early);
      t.enqueueOutbox(now);
      return null;
    });
    assertEquals(List.of(), tx(t -> t.dueOutbox(T0, 10)));
    assertEquals(List.of(early, now), tx(t -> t.dueOutbox(T0.plusSeconds(20), 10)));
    assertEquals(List.of(early), tx(t -> t.dueOutbox(T0.plusSeconds(60), 1)));
    assertEquals(List.of(early, now, late), tx(t -> t.dueOutbox(T0.plusSeconds(60), 10)));
  }

  @Test
  void outbox_sameKeyTwice_secondIgnored() throws Exception {
    OutboxEntry first = new OutboxEntry(id("e", 8), BOB, new byte[] {1}, T0, 0);
    assertTrue(bool(t -> t.enqueueOutbox(first)));
    assertFalse(bool(t -> t.enqueueOutbox(new OutboxEntry(id("e", 8), BOB, new byte[] {2}, T0, 3))));
    assertTrue(bool(t -> t.enqueueOutbox(new OutboxEntry(id("e", 8), ALICE, new byte[] {2}, T0, 0))));
    assertEquals(first, tx(t -> t.dueOutbox(T0, 10)).stream()
        .filter(e -> e.recipient().equals(BOB)).findFirst().orElseThrow());
  }

  @Test
  void outbox_ackRemovesOnlyThatRecipient() throws Exception {
    tx(t -> {
      t.enqueueOutbox(new OutboxEntry(id("e", 8), BOB, new byte[] {1}, T0, 0));
      t.enqueueOutbox(new OutboxEntry(id("e", 8), ALICE, new byte[] {1}, T0, 0));
      return null;
    });
    assertTrue(bool(t -> t.ackOutbox(id("e", 8), BOB)));
    assertFalse(bool(t -> t.ackOutbox(id("e", 8), BOB)));
    List<OutboxEntry> due = tx(t -> t.dueOutbox(T0, 10));
    assertEquals(1, due.size());
    assertEquals(ALICE, due.get(0).recipient());
  }

  @Test
  void outbox_reschedule_movesDueTimeAndCountsAttempts() throws Exception {
    tx(t -> t.enqueueOutbox(new OutboxEntry(id("e", 8), BOB, new byte[] {1, 2}, T0, 0)));
    assertTrue(bool(t -> t.rescheduleOutbox(id("e", 8), BOB, T0.plusSeconds(5))));
    assertTrue(bool(t -> t.rescheduleOutbox(id("e", 8), BOB, T0.plusSeconds(15))));
    assertFalse(bool(t -> t.rescheduleOutbox(id("missing", 8), BOB, T0)));
    assertEquals(List.of(), tx(t -> t.dueOutbox(T0.plusSeconds(14), 10)));
    assertEquals(
        List.of(new OutboxEntry(id("e", 8), BOB, new byte[] {1, 2}, T0.plusSeconds(15), 2, T0)),
        tx(t -> t.dueOutbox(T0.plusSeconds(15), 10)));
  }

  @Test
  void outbox_enqueuedAt_roundTripsAndSurvivesReschedule() throws Exception {
    OutboxEntry e = new OutboxEntry(id("e", 8), BOB, new byte[] {1}, T0.plusSeconds(3), 0,
        T0.plusMillis(1234));
    tx(t -> t.enqueueOutbox(e));
    assertEquals(List.of(e), tx(t -> t.dueOutbox(T0.plusSeconds(3), 10)));
    tx(t -> t.rescheduleOutbox(id("e", 8), BOB, T0.plusSeconds(9)));
    assertEquals(
        List.of(new OutboxEntry(id("e", 8), BOB, new byte[] {1}, T0.plusSeconds(9), 1,
            T0.plusMillis(1234))),
        tx(t -> t.dueOutbox(T0.plusSeconds(9), 10)));
    assertEquals(T0, new OutboxEntry(id("x", 8), BOB, new byte[] {1}, T0, 0).enqueuedAt(),
        "the five-part constructor takes the first attempt time as the enqueue time");
  }

  // ---- per-recipient delivery state

  @Test
  void recipientStates_putReplaceListDelete() throws Exception {
    Id m = messageId(1);
    assertEquals(Map.of(), tx(t -> t.recipientStates(m)));
    tx(t -> {
      t.putRecipientState(m, BOB, RecipientState.PENDING);
      t.putRecipientState(m, ALICE, RecipientState.PENDING);
      t.putRecipientState(messageId(2), BOB, RecipientState.FAILED);
      return null;
    });
    tx(t -> {
      t.putRecipientState(m, BOB, RecipientState.DELIVERED);
      return null;
    });
    Map<Id, RecipientState> states = tx(t -> t.recipientStates(m));
    assertEquals(Map.of(ALICE, RecipientState.PENDING, BOB, RecipientState.DELIVERED), states);
    assertEquals(List.of(ALICE, BOB), new ArrayList<>(states.keySet()), "ordered by recipient");
    assertThrows(UnsupportedOperationException.class,
        () -> states.put(BOB, RecipientState.FAILED));
    assertEquals(2, count(t -> t.deleteRecipientStates(m)));
    assertEquals(0, count(t -> t.deleteRecipientStates(m)));
    assertEquals(Map.of(), tx(t -> t.recipientStates(m)));
    assertEquals(Map.of(BOB, RecipientState.FAILED), tx(t -> t.recipientStates(messageId(2))));
  }

  @Test
  void recipientStates_rolledBack_leaveNothing() throws Exception {
    Id m = messageId(1);
    tx(t -> {
      t.putRecipientState(m, BOB, RecipientState.PENDING);
      return null;
    });
    assertThrows(
        IllegalStateException.class,
        () ->
            tx(t -> {
              t.putRecipientState(m, BOB, RecipientState.DELIVERED);
              t.putRecipientState(m, ALICE, RecipientState.PENDING);
              t.putRecipientState(messageId(2), ALICE, RecipientState.PENDING);
              throw new IllegalStateException("abort");
            }));
    assertThrows(
        IllegalStateException.class,
        () ->
            tx(t -> {
              t.deleteRecipientStates(m);
              throw new IllegalStateException("abort");
            }));
    assertEquals(Map.of(BOB, RecipientState.PENDING), tx(t -> t.recipientStates(m)));
    assertEquals(Map.of(), tx(t -> t.recipientStates(messageId(2))));
  }

  @Test
  void recipientStateAndCounts_followPutsDeletesAndRollbacks() throws Exception {
    Id m = messageId(1);
    assertEquals(Optional.empty(), tx(t -> t.recipientState(m, BOB)));
    assertEquals(RecipientCounts.NONE, tx(t -> t.recipientCounts(m)));
    tx(t -> {
      t.putRecipientState(m, BOB, RecipientState.PENDING);
      t.putRecipientState(m, ALICE, RecipientState.PENDING);
      t.putRecipientState(messageId(2), BOB, RecipientState.FAILED);
      return null;
    });
    assertEquals(new RecipientCounts(2, 0, 0), tx(t -> t.recipientCounts(m)));
    tx(t -> {
      t.putRecipientState(m, BOB, RecipientState.DELIVERED);
      assertEquals(Optional.of(RecipientState.DELIVERED), t.recipientState(m, BOB),
          "a transaction reads its own writes");
      assertEquals(new RecipientCounts(1, 1, 0), t.recipientCounts(m));
      return null;
    });
    assertThrows(IllegalStateException.class, () -> tx(t -> {
      t.putRecipientState(m, ALICE, RecipientState.FAILED);
      t.putRecipientState(m, CAROL, RecipientState.PENDING);
      throw new IllegalStateException("abort");
    }));
    assertEquals(Optional.of(RecipientState.PENDING), tx(t -> t.recipientState(m, ALICE)));
    assertEquals(Optional.of(RecipientState.DELIVERED), tx(t -> t.recipientState(m, BOB)));
    assertEquals(Optional.empty(), tx(t -> t.recipientState(m, CAROL)));
    assertEquals(new RecipientCounts(1, 1, 0), tx(t -> t.recipientCounts(m)), "rolled back");
    assertEquals(new RecipientCounts(0, 0, 1), tx(t -> t.recipientCounts(messageId(2))));
    assertEquals(2, count(t -> t.deleteRecipientStates(m)));
    assertEquals(RecipientCounts.NONE, tx(t -> t.recipientCounts(m)));
    assertEquals(Optional.empty(), tx(t -> t.recipientState(m, BOB)));
    tx(t -> {
      assertThrows(IllegalArgumentException.class, () -> t.recipientState(null, BOB));
      assertThrows(IllegalArgumentException.class, () -> t.recipientState(m, null));
      assertThrows(IllegalArgumentException.class, () -> t.recipientCounts(null));
      return null;
    });
  }

  @Test
  void recipientStates_badArguments_fail() throws Exception {
    tx(t -> {
      assertThrows(IllegalArgumentException.class,
          () -> t.putRecipientState(null, BOB, RecipientState.PENDING));
      assertThrows(IllegalArgumentException.class,
          () -> t.putRecipientState(messageId(1), null, RecipientState.PENDING));
      assertThrows(IllegalArgumentException.class,
          () -> t.putRecipientState(messageId(1), BOB, null));
      assertThrows(IllegalArgumentException.class, () -> t.recipientStates(null));
      assertThrows(IllegalArgumentException.class, () -> t.deleteRecipientStates(null));
      return null;
    });
    assertThrows(IllegalArgumentException.class,
        () -> new OutboxEntry(id("e", 8), BOB, new byte[] {1}, T0, 0, null));
    assertThrows(IllegalArgumentException.class, () -> RecipientState.fromCode(0));
  }

  @Test
  void recipientStates_andEnqueueTime_surviveReopen() throws Exception {
    Assumptions.assumeTrue(isDurable(), "store is not durable");
    OutboxEntry e = new OutboxEntry(messageId(1), BOB, new byte[] {1}, T0.plusSeconds(8), 3,
        T0.plusMillis(7));
    tx(t -> {
      t.enqueueOutbox(e);
      t.putRecipientState(messageId(1), BOB, RecipientState.PENDING);
      t.putRecipientState(messageId(1), ALICE, RecipientState.DELIVERED);
      return null;
    });
    reopenStore();
    assertEquals(List.of(e), tx(t -> t.dueOutbox(T0.plusSeconds(8), 10)));
    assertEquals(Map.of(ALICE, RecipientState.DELIVERED, BOB, RecipientState.PENDING),
        tx(t -> t.recipientStates(messageId(1))));
  }

  // ---- pending envelopes

  @Test
  void syncEnvelopes_putRangeAndHighWaterMarks() throws Exception {
    SyncEnvelope a0 = new SyncEnvelope(CHANNEL, ALICE, 0, 3, new byte[] {10});
    SyncEnvelope a1 = new SyncEnvelope(CHANNEL, ALICE, 1, 3, new byte[] {11});
    SyncEnvelope a3 = new SyncEnvelope(CHANNEL, ALICE, 3, 4, new byte[] {13});
    SyncEnvelope b1 = new SyncEnvelope(CHANNEL, BOB, 1, 3, new byte[] {21});
    SyncEnvelope other = new SyncEnvelope(OTHER_CHANNEL, ALICE, 0, 0, new byte[] {30});
    tx(t -> {
      assertTrue(t.putSyncEnvelope(a3));
      assertTrue(t.putSyncEnvelope(a0));
      assertTrue(t.putSyncEnvelope(b1));
      assertTrue(t.putSyncEnvelope(a1));
      assertTrue(t.putSyncEnvelope(other));
      return null;
    });
    assertFalse(bool(t -> t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 1, 9,
        new byte[] {99}))), "an address is kept once");
    assertEquals(List.of(a0, a1, a3), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 0, 10)));
    assertEquals(List.of(a1), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 1, 1)));
    assertEquals(List.of(a3), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 2, 10)));
    assertEquals(List.of(), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 4, 10)));
    assertEquals(List.of(), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 0, 0)));
    assertEquals(List.of(b1), tx(t -> t.syncEnvelopes(CHANNEL, BOB, 0, 10)));
    // alice: 0 and 1 contiguous (3 is beyond a gap); bob lacks 0, so has no mark
    assertEquals(Map.of(ALICE, 1L), tx(t -> t.highWaterMarks(CHANNEL)));
    assertEquals(Map.of(ALICE, 0L), tx(t -> t.highWaterMarks(OTHER_CHANNEL)));
    assertEquals(Map.of(), tx(t -> t.highWaterMarks(id("channel-3", 16))));
    tx(t -> t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 2, 4, new byte[] {12})));
    assertEquals(Map.of(ALICE, 3L), tx(t -> t.highWaterMarks(CHANNEL)));
  }

  @Test
  void replaceSyncEnvelope_replacesAtItsAddress_orAdds_andAnEmptyOneIsATombstone()
      throws Exception {
    tx(t -> {
      t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 0, 0, new byte[] {1}));
      t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 1, 1, new byte[] {2}));
      return null;
    });
    SyncEnvelope again = new SyncEnvelope(CHANNEL, ALICE, 1, 5, new byte[] {7, 7});
    SyncEnvelope added = new SyncEnvelope(CHANNEL, ALICE, 2, 5, new byte[] {8});
    tx(t -> {
      t.replaceSyncEnvelope(again);
      t.replaceSyncEnvelope(added);
      t.replaceSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 0, 0, new byte[0]));
      return null;
    });
    List<SyncEnvelope> kept = tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 0, 10));
    assertEquals(3, kept.size());
    assertEquals(0, kept.get(0).mlsMessageLength(), "a tombstone");
    assertEquals(again, kept.get(1));
    assertEquals(added, kept.get(2));
    assertEquals(Map.of(ALICE, 2L), tx(t -> t.highWaterMarks(CHANNEL)));
  }

  @Test
  void pruneSyncEnvelopes_keepsTheNewestPerSender_andMarksCountFromTheTombstone() throws Exception {
    tx(t -> {
      for (int i = 0; i < 10; i++) {
        t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, i, i / 3, new byte[] {(byte) i}));
      }
      for (int i = 0; i < 2; i++) {
        t.putSyncEnvelope(new SyncEnvelope(CHANNEL, BOB, i, 0, new byte[] {(byte) i}));
      }
      t.putSyncEnvelope(new SyncEnvelope(OTHER_CHANNEL, ALICE, 0, 0, new byte[] {1}));
      return null;
    });
    // alice: 0..5 go (0..4 deleted, 5 a tombstone), 6..9 stay; bob and the other channel untouched
    assertEquals((Integer) 6, tx(t -> t.pruneSyncEnvelopes(CHANNEL, 4)));
    List<SyncEnvelope> left = tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 0, 100));
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L), left.stream().map(SyncEnvelope::sequence).toList());
    assertEquals(0, left.get(0).mlsMessageLength(), "a tombstone");
    assertEquals(1, left.get(1).mlsMessageLength());
    assertEquals(Map.of(ALICE, 9L, BOB, 1L), tx(t -> t.highWaterMarks(CHANNEL)));
    assertEquals(Map.of(ALICE, 0L), tx(t -> t.highWaterMarks(OTHER_CHANNEL)));
    assertEquals((Integer) 0, tx(t -> t.pruneSyncEnvelopes(CHANNEL, 4)), "nothing more to prune");
    tx(t -> t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 10, 4, new byte[] {10})));
    assertEquals((Integer) 2, tx(t -> t.pruneSyncEnvelopes(CHANNEL, 4)));
    assertEquals(Map.of(ALICE, 10L, BOB, 1L), tx(t -> t.highWaterMarks(CHANNEL)));
    assertThrows(IllegalArgumentException.class, () -> tx(t -> t.pruneSyncEnvelopes(CHANNEL, 0)));
  }

  @Test
  void highWaterMarks_underRandomPutsReplacesPrunesAndRollbacks_matchACountFromTheEnvelopes()
      throws Exception {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    java.util.Random random = new java.util.Random(seed);
    List<Id> senders = List.of(ALICE, BOB, CAROL);
    for (int round = 0; round < 200; round++) {
      int op = random.nextInt(10);
      Id sender = senders.get(random.nextInt(senders.size()));
      long seq = random.nextInt(random.nextInt(4) == 0 ? 40 : 12);
      byte[] body = random.nextInt(8) == 0 ? new byte[0] : new byte[] {(byte) round};
      boolean abort = random.nextInt(5) == 0;
      try {
        tx(t -> {
          switch (op) {
            case 0 -> t.replaceSyncEnvelope(new SyncEnvelope(CHANNEL, sender, seq, 0, body));
            case 1 -> t.pruneSyncEnvelopes(CHANNEL, 1 + random.nextInt(6));
            case 2 -> t.highWaterMarks(CHANNEL);
            default -> t.putSyncEnvelope(new SyncEnvelope(CHANNEL, sender, seq, 0, body));
          }
          if (op != 2 && random.nextBoolean()) {
            t.highWaterMarks(CHANNEL); // read inside the transaction, before a possible abort
          }
          if (abort) {
            throw new IllegalStateException("abort");
          }
          return null;
        });
      } catch (IllegalStateException e) {
        assertTrue(abort, "only the test aborts; seed " + seed);
      }
      Map<Id, Long> expected = new java.util.HashMap<>();
      for (Id s : senders) {
        List<SyncEnvelope> kept = tx(t -> t.syncEnvelopes(CHANNEL, s, 0, 1000));
        long next = kept.isEmpty() ? -1 : kept.get(0).mlsMessageLength() == 0
            ? kept.get(0).sequence() : 0;
        long mark = -1;
        for (SyncEnvelope e : kept) {
          if (e.sequence() != next) {
            break;
          }
          mark = next++;
        }
        if (mark >= 0) {
          expected.put(s, mark);
        }
      }
      assertEquals(expected, tx(t -> t.highWaterMarks(CHANNEL)),
          "round " + round + " op " + op + "; seed " + seed);
    }
  }

  @Test
  void knownPeers_replacedWhole_rolledBackOnThrow_bounded_durable() throws Exception {
    KnownPeer a = new KnownPeer(ALICE, List.of("/ip4/127.0.0.1/tcp/4001", "/dns4/a.example/tcp/1"),
        new byte[] {9, 8, 7}, true, T0);
    KnownPeer b = new KnownPeer(BOB, List.of(), new byte[0], false, T0.plusMillis(1));
    if (!bool(t -> t.replaceKnownPeers(List.of(a, b)))) {
      assertEquals(List.of(), tx(t -> t.knownPeers())); // a store that keeps no address book
      return;
    }
    assertEquals(List.of(a, b), tx(t -> t.knownPeers()));
    assertThrows(IllegalStateException.class, () -> storage.inTransaction(t -> {
      t.replaceKnownPeers(List.of(b));
      throw new IllegalStateException("roll back");
    }));
    assertEquals(List.of(a, b), tx(t -> t.knownPeers()));
    List<KnownPeer> tooMany = Collections.nCopies(KnownPeer.MAX_KNOWN_PEERS + 1, b);
    assertThrows(IllegalArgumentException.class, () -> tx(t -> t.replaceKnownPeers(tooMany)));
    assertTrue(bool(t -> t.replaceKnownPeers(List.of(b))));
    assertEquals(List.of(b), tx(t -> t.knownPeers()));
    if (isDurable()) {
      reopenStore();
      assertEquals(List.of(b), tx(t -> t.knownPeers()));
    }
  }

  @Test
  void nodeRecords_putReplaceDeleteByKind_rolledBackOnThrow_durable() throws Exception {
    NodeRecord a = new NodeRecord(NodeRecord.KIND_DEPOSITABLE, id("env-a", 32), new byte[] {1});
    NodeRecord b = new NodeRecord(NodeRecord.KIND_DEPOSITABLE, id("env-b", 32), new byte[0]);
    NodeRecord other = new NodeRecord(NodeRecord.KIND_CHANNEL_REQUEST, id("env-a", 32),
        new byte[] {7, 7});
    if (!bool(t -> t.putNodeRecord(a))) {
      assertEquals(List.of(), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)));
      return; // a store that keeps no node records
    }
    assertTrue(bool(t -> t.putNodeRecord(b)));
    assertTrue(bool(t -> t.putNodeRecord(other)));
    assertEquals(List.of(a, b), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)));
    assertEquals(List.of(other), tx(t -> t.nodeRecords(NodeRecord.KIND_CHANNEL_REQUEST)));
    NodeRecord a2 = new NodeRecord(NodeRecord.KIND_DEPOSITABLE, a.key(), new byte[] {2, 2});
    assertTrue(bool(t -> t.putNodeRecord(a2)));
    assertEquals(List.of(b, a2), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)),
        "a replaced record counts as written last");
    assertThrows(IllegalStateException.class, () -> storage.inTransaction(t -> {
      t.deleteNodeRecord(NodeRecord.KIND_DEPOSITABLE, b.key());
      throw new IllegalStateException("roll back");
    }));
    assertEquals(List.of(b, a2), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)));
    assertTrue(bool(t -> t.deleteNodeRecord(NodeRecord.KIND_DEPOSITABLE, b.key())));
    assertFalse(bool(t -> t.deleteNodeRecord(NodeRecord.KIND_DEPOSITABLE, b.key())));
    assertEquals(List.of(a2), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)));
    assertEquals(List.of(other), tx(t -> t.nodeRecords(NodeRecord.KIND_CHANNEL_REQUEST)));
    assertThrows(IllegalArgumentException.class,
        () -> new NodeRecord(0, a.key(), new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new NodeRecord(1, a.key(), new byte[NodeRecord.MAX_VALUE + 1]));
    if (isDurable()) {
      reopenStore();
      assertEquals(List.of(a2), tx(t -> t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)));
      assertEquals(List.of(other), tx(t -> t.nodeRecords(NodeRecord.KIND_CHANNEL_REQUEST)));
    }
  }

  @Test
  void mailboxes_putInOrderCountDeleteAndPrune() throws Exception {
    MailboxEnvelope m1 = new MailboxEnvelope(BOB, id("env-1", 32), CHANNEL, new byte[] {1},
        T0);
    MailboxEnvelope m2 = new MailboxEnvelope(BOB, id("env-0", 32), CHANNEL, new byte[] {2},
        T0.plusSeconds(10));
    MailboxEnvelope m3 = new MailboxEnvelope(BOB, id("env-3", 32), OTHER_CHANNEL,
        new byte[] {3, 3}, T0.plusSeconds(5));
    MailboxEnvelope forAlice = new MailboxEnvelope(ALICE, id("env-1", 32), CHANNEL,
        new byte[] {4}, T0);
    tx(t -> {
      assertTrue(t.putMailboxEnvelope(m1));
      assertTrue(t.putMailboxEnvelope(m2));
      assertTrue(t.putMailboxEnvelope(m3));
      assertTrue(t.putMailboxEnvelope(forAlice));
      return null;
    });
    assertFalse(bool(t -> t.putMailboxEnvelope(new MailboxEnvelope(BOB, id("env-1", 32),
        CHANNEL, new byte[] {9}, T0))), "an envelope is kept once per recipient");
    assertEquals(List.of(m1, m2, m3), tx(t -> t.mailboxEnvelopes(BOB, 10)), "in put order");
    assertEquals(List.of(m1), tx(t -> t.mailboxEnvelopes(BOB, 1)));
    assertEquals((Integer) 3, tx(t -> t.mailboxCount(BOB)));
    assertEquals((Integer) 1, tx(t -> t.mailboxCount(ALICE)));
    assertEquals((Integer) 0, tx(t -> t.mailboxCount(OTHER_CHANNEL)));
    assertTrue(bool(t -> t.deleteMailboxEnvelope(BOB, id("env-0", 32))));
    assertFalse(bool(t -> t.deleteMailboxEnvelope(BOB, id("env-0", 32))));
    assertEquals(List.of(m1, m3), tx(t -> t.mailboxEnvelopes(BOB, 10)));
    assertThrows(IllegalStateException.class, () -> tx(t -> {
      t.deleteMailboxEnvelope(BOB, id("env-1", 32));
      throw new IllegalStateException("abort");
    }));
    assertEquals((Integer) 2, tx(t -> t.mailboxCount(BOB)), "rolled back");
    // deposited strictly before T0 + 5 s: m1 and alice's
    assertEquals((Integer) 2, tx(t -> t.pruneMailboxes(T0.plusSeconds(5))));
    assertEquals(List.of(m3), tx(t -> t.mailboxEnvelopes(BOB, 10)));
    assertEquals(List.of(), tx(t -> t.mailboxEnvelopes(ALICE, 10)));
  }

  @Test
  void syncEnvelopes_rolledBackWithTheTransaction() throws Exception {
    assertThrows(IllegalStateException.class, () -> tx(t -> {
      t.putSyncEnvelope(new SyncEnvelope(CHANNEL, ALICE, 0, 0, new byte[] {1}));
      throw new IllegalStateException("abort");
    }));
    assertEquals(List.of(), tx(t -> t.syncEnvelopes(CHANNEL, ALICE, 0, 10)));
    assertEquals(Map.of(), tx(t -> t.highWaterMarks(CHANNEL)));
  }

  @Test
  void pendingEnvelopes_addListDelete() throws Exception {
    PendingEnvelope a = new PendingEnvelope(id("a", 32), new byte[] {1}, T0.plusSeconds(2));
    PendingEnvelope b = new PendingEnvelope(id("b", 32), new byte[] {2}, T0.plusSeconds(1));
    assertTrue(bool(t -> t.addPendingEnvelope(a)));
    assertTrue(bool(t -> t.addPendingEnvelope(b)));
    assertFalse(bool(t -> t.addPendingEnvelope(a)));
    assertEquals(List.of(b, a), tx(t -> t.pendingEnvelopes()));
    assertTrue(bool(t -> t.deletePendingEnvelope(b.envelopeId())));
    assertFalse(bool(t -> t.deletePendingEnvelope(b.envelopeId())));
    assertEquals(List.of(a), tx(t -> t.pendingEnvelopes()));
  }

  @Test
  void pendingEnvelopes_pruneByAgeThenCount_keepsNewest() throws Exception {
    tx(t -> {
      for (int i = 0; i < 10; i++) {
        t.addPendingEnvelope(
            new PendingEnvelope(id("env-" + i, 32), new byte[] {(byte) i}, T0.plusSeconds(i)));
      }
      return null;
    });
    assertEquals(3, count(t -> t.prunePendingEnvelopes(100, T0.plusSeconds(3))));
    assertEquals(3, count(t -> t.prunePendingEnvelopes(4, T0)));
    List<PendingEnvelope> left = tx(t -> t.pendingEnvelopes());
    assertEquals(4, left.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(id("env-" + (6 + i), 32), left.get(i).envelopeId());
    }
    assertEquals(0, count(t -> t.prunePendingEnvelopes(4, T0)));
    assertEquals(4, count(t -> t.prunePendingEnvelopes(0, T0)));
  }

  // ---- invites

  @Test
  void redeemInvite_onlyOnce() throws Exception {
    Id hash = id("secret-hash", 32);
    assertTrue(bool(t -> t.putInvite(new Invite(hash, T0.plusSeconds(60), false))));
    assertFalse(bool(t -> t.putInvite(new Invite(hash, T0.plusSeconds(999), false))));
    assertEquals(InviteRedemption.REDEEMED, tx(t -> t.redeemInvite(hash, T0)));
    assertEquals(InviteRedemption.ALREADY_USED, tx(t -> t.redeemInvite(hash, T0)));
    assertEquals(new Invite(hash, T0.plusSeconds(60), true), tx(t -> t.invite(hash)).orElseThrow());
    assertEquals(InviteRedemption.UNKNOWN, tx(t -> t.redeemInvite(id("other", 32), T0)));
  }

  @Test
  void redeemInvite_expired_notRedeemed() throws Exception {
    Id hash = id("secret-hash", 32);
    tx(t -> t.putInvite(new Invite(hash, T0.plusSeconds(60), false)));
    assertEquals(InviteRedemption.EXPIRED, tx(t -> t.redeemInvite(hash, T0.plusSeconds(60))));
    assertFalse(tx(t -> t.invite(hash)).orElseThrow().used());
  }

  @Test
  void redeemInvite_fromManyThreads_exactlyOneRedeems() throws Exception {
    Id hash = id("contended", 32);
    tx(t -> t.putInvite(new Invite(hash, T0.plusSeconds(60), false)));
    List<InviteRedemption> outcomes =
        runConcurrently(8, i -> tx(t -> t.redeemInvite(hash, T0)));
    assertEquals(1, Collections.frequency(outcomes, InviteRedemption.REDEEMED));
    assertEquals(7, Collections.frequency(outcomes, InviteRedemption.ALREADY_USED));
  }

  // ---- concurrency

  @Test
  void concurrentTransactions_readModifyWrite_noLostUpdates() throws Exception {
    int threads = 4;
    int perThread = 25;
    runConcurrently(
        threads,
        worker -> {
          for (int i = 0; i < perThread; i++) {
            long n = worker * 1000L + i;
            tx(t -> {
              long next = t.maxLamport(CHANNEL).orElse(0) + 1;
              return t.insertMessage(message(n, CHANNEL, ALICE, next, n, "m"));
            });
          }
          return null;
        });
    List<StoredMessage> all = tx(t -> t.history(CHANNEL, null, 1000));
    assertEquals(threads * perThread, all.size());
    Set<Long> distinct = new HashSet<>(lamports(all));
    assertEquals(threads * perThread, distinct.size());
    assertEquals(OptionalLong.of(threads * perThread), tx(t -> t.maxLamport(CHANNEL)));
  }

  @Test
  void concurrentTransactions_someFail_onlySuccessfulOnesVisible() throws Exception {
    runConcurrently(
        4,
        worker -> {
          for (int i = 0; i < 20; i++) {
            long n = worker * 1000L + i;
            boolean fail = i % 2 == 1;
            try {
              tx(t -> {
                t.insertMessage(message(n, CHANNEL, BOB, n, n, "m"));
                t.enqueueOutbox(new OutboxEntry(messageId(n), ALICE, new byte[] {1}, T0, 0));
                if (fail) {
                  throw new IllegalStateException("abort");
                }
                return null;
              });
            } catch (IllegalStateException expected) {
              // The failing half is the point of the test.
            }
          }
          return null;
        });
    assertEquals(40, tx(t -> t.history(CHANNEL, null, 1000)).size());
    List<OutboxEntry> due = tx(t -> t.dueOutbox(T0, 1000));
    assertEquals(40, due.size());
    for (OutboxEntry e : due) {
      assertTrue(tx(t -> t.message(e.envelopeId())).isPresent());
    }
  }

  /** Work run by one of several threads, given its index. */
  @FunctionalInterface
  protected interface Worker<T> {
    /**
     * Runs the work of one thread.
     *
     * @param index the thread's index, from 0
     * @return the thread's result
     * @throws Exception if the work fails (fails the test)
     */
    T run(int index) throws Exception;
  }

  /** Runs {@code n} workers at once and returns their results by index. */
  protected static <T> List<T> runConcurrently(int n, Worker<T> worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        Callable<T> task =
            () -> {
              start.await();
              return worker.run(index);
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  // ---- durability

  @Test
  void reopen_everythingCommittedSurvives() throws Exception {
    Assumptions.assumeTrue(isDurable(), "store is not durable");
    byte[] state = new byte[200_000];
    new Random(3).nextBytes(state);
    Id space = id("space", 16);
    tx(t -> {
      t.putNodeKey(NodeKeyKind.IDENTITY, SecretBlob.copyOf(new byte[] {1, 1}));
      t.putGroupState(CHANNEL, SecretBlob.copyOf(state));
      t.putKeyPackage(id("kp", 32), SecretBlob.copyOf(new byte[] {2}));
      t.putSpace(new SpaceRecord(space, "Team", ALICE, T0));
      t.putChannel(new ChannelRecord(CHANNEL, space, "general", 0, ALICE, T0));
      t.appendSpaceOperation(new SpaceOperation(id("op", 16), space, 1, ALICE, new byte[] {3}));
      t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "durable"));
      t.enqueueOutbox(new OutboxEntry(id("e", 8), BOB, new byte[] {4}, T0, 0));
      t.addPendingEnvelope(new PendingEnvelope(id("p", 32), new byte[] {5}, T0));
      t.putInvite(new Invite(id("inv", 32), T0.plusSeconds(9), false));
      return null;
    });
    assertThrows(
        IllegalStateException.class,
        () ->
            tx(t -> {
              t.insertMessage(message(2, CHANNEL, ALICE, 2, 2, "rolled back"));
              throw new IllegalStateException("abort");
            }));
    reopenStore();
    tx(t -> {
      assertEquals(
          SecretBlob.copyOf(new byte[] {1, 1}), t.nodeKey(NodeKeyKind.IDENTITY).orElseThrow());
      assertArrayEquals(state, t.groupState(CHANNEL).orElseThrow().revealBytes());
      assertTrue(t.keyPackage(id("kp", 32)).isPresent());
      assertEquals("Team", t.space(space).orElseThrow().name());
      assertEquals("general", t.channel(CHANNEL).orElseThrow().name());
      assertEquals(1, t.spaceOperations(space).size());
      assertEquals(message(1, CHANNEL, ALICE, 1, 1, "durable"), t.message(messageId(1)).get());
      assertTrue(t.message(messageId(2)).isEmpty());
      assertEquals(1, t.dueOutbox(T0, 10).size());
      assertEquals(1, t.pendingEnvelopes().size());
      assertEquals(InviteRedemption.REDEEMED, t.redeemInvite(id("inv", 32), T0));
      return null;
    });
    reopenStore();
    assertEquals(InviteRedemption.ALREADY_USED, tx(t -> t.redeemInvite(id("inv", 32), T0)));
    assertFalse(bool(t -> t.insertMessage(message(1, CHANNEL, ALICE, 1, 1, "durable"))));
  }
}
