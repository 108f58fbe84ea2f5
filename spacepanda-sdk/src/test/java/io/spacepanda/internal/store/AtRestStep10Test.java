package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Storages;
import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.HistoryCursor;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.KnownPeer;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.SyncEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, at rest, schema step 10: no space, channel, message, envelope, operation, group, key
 * package or peer id is in clear in any file of the store (README lists what a thief still
 * learns); a database as step 10 wrote it (those ids in clear) is converted in place with nothing
 * lost; and sealing the ids changes no order the storage contract promises.
 */
class AtRestStep10Test {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path tempDir;

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());

  /** A recognisable id: the label, then bytes no other id here shares. */
  private static Id id(String label, int length) {
    byte[] b = new byte[length];
    byte[] l = label.getBytes();
    System.arraycopy(l, 0, b, 0, Math.min(l.length, length));
    for (int i = l.length; i < length; i++) {
      b[i] = (byte) (0x71 ^ (i * 7) ^ label.length());
    }
    return Id.of(b);
  }

  private final Id space = id("space-id", 32);
  private final Id channel = id("channel-id", 32);
  private final Id owner = id("owner-peer", 38);
  private final Id author = id("author-peer", 38);
  private final Id op = id("space-op-id", 32);
  private final Id message = id("message-id", 32);
  private final Id sender = id("sender-peer", 38);
  private final Id envelope = id("outbox-envelope", 32);
  private final Id recipient = id("outbox-recipient", 38);
  private final Id held = id("held-envelope", 32);
  private final Id boxRecipient = id("box-recipient", 38);
  private final Id boxEnvelope = id("box-envelope", 32);
  private final Id boxSpace = id("box-space", 32);
  private final Id syncChannel = id("sync-channel", 32);
  private final Id syncSender = id("sync-sender", 38);
  private final Id group = id("group-id", 32);
  private final Id keyPackage = id("key-package", 32);
  private final Id invite = id("invite-hash", 32);
  private final Id known = id("known-peer", 38);

  private List<Id> allIds() {
    return List.of(space, channel, owner, author, op, message, sender, envelope, recipient, held,
        boxRecipient, boxEnvelope, boxSpace, syncChannel, syncSender, group, keyPackage, invite,
        known);
  }

  private final StoredMessage stored = new StoredMessage(id("message-id", 32),
      id("channel-id", 32), id("sender-peer", 38), 7, 3, 1, "hello".getBytes(), T0,
      DeliveryState.RECEIVED);

  private void write(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      t.putSpace(new SpaceRecord(space, "team", owner, T0));
      t.putChannel(new ChannelRecord(channel, space, "general", 1, owner, T0));
      t.appendSpaceOperation(new SpaceOperation(op, space, 4, author, new byte[] {4, 4}));
      t.insertMessage(stored);
      t.putRecipientState(message, recipient, RecipientState.PENDING);
      t.enqueueOutbox(new OutboxEntry(envelope, recipient, new byte[] {1}, T0, 2, T0));
      t.addPendingEnvelope(new PendingEnvelope(held, new byte[] {2}, T0));
      t.putMailboxEnvelope(new MailboxEnvelope(boxRecipient, boxEnvelope, boxSpace,
          new byte[] {3}, T0));
      t.putSyncEnvelope(new SyncEnvelope(syncChannel, syncSender, 0, 5, new byte[] {5}));
      t.putSyncEnvelope(new SyncEnvelope(syncChannel, syncSender, 1, 5, new byte[] {6}));
      t.putGroupState(group, SecretBlob.copyOf(new byte[] {7}));
      t.putKeyPackage(keyPackage, SecretBlob.copyOf(new byte[] {8}));
      t.putInvite(new Invite(invite, T0.plusSeconds(60), false));
      t.replaceKnownPeers(List.of(new KnownPeer(known, List.of("/ip4/127.0.0.1/tcp/9"),
          new byte[0], true, T0)));
      return null;
    });
  }

  private void assertReadable(Storage store) throws Exception {
    store.<Void, RuntimeException>inTransaction(t -> {
      assertEquals(List.of(new SpaceRecord(space, "team", owner, T0)), t.spaces());
      assertEquals(new SpaceRecord(space, "team", owner, T0), t.space(space).orElseThrow());
      ChannelRecord ch = new ChannelRecord(channel, space, "general", 1, owner, T0);
      assertEquals(List.of(ch), t.channels(space));
      assertEquals(ch, t.channel(channel).orElseThrow());
      List<SpaceOperation> ops = t.spaceOperations(space);
      assertEquals(1, ops.size());
      assertEquals(op, ops.get(0).operationId());
      assertEquals(author, ops.get(0).authorPeerId());
      assertArrayEquals(new byte[] {4, 4}, ops.get(0).payload());
      assertEquals(stored, t.message(message).orElseThrow());
      assertEquals(List.of(stored), t.history(channel, null, 10));
      assertEquals(Map.of(recipient, RecipientState.PENDING), t.recipientStates(message));
      assertEquals(List.of(new OutboxEntry(envelope, recipient, new byte[] {1}, T0, 2, T0)),
          t.dueOutbox(T0, 10));
      List<PendingEnvelope> p = t.pendingEnvelopes();
      assertEquals(held, p.get(0).envelopeId());
      assertArrayEquals(new byte[] {2}, p.get(0).envelope());
      MailboxEnvelope m = t.mailboxEnvelopes(boxRecipient, 10).get(0);
      assertEquals(boxEnvelope, m.envelopeId());
      assertEquals(boxSpace, m.spaceId());
      assertArrayEquals(new byte[] {3}, m.envelope());
      assertEquals(Map.of(syncSender, 1L), t.highWaterMarks(syncChannel));
      assertArrayEquals(new byte[] {6},
          t.syncEnvelopes(syncChannel, syncSender, 1, 10).get(0).mlsMessage());
      assertArrayEquals(new byte[] {7}, t.groupState(group).orElseThrow().revealBytes());
      assertArrayEquals(new byte[] {8}, t.keyPackage(keyPackage).orElseThrow().revealBytes());
      assertEquals(known, t.knownPeers().get(0).peer());
      return null;
    });
  }

  /** Ids found in clear in any file of the store directory, by file. */
  private List<String> idsInClear(Path dir) throws Exception {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        byte[] content = Files.readAllBytes(f);
        for (Id i : allIds()) {
          if (SqliteStorageTestSupport.contains(content, i.toBytes())) {
            found.add(f.getFileName() + ": " + new String(i.toBytes(), 0, 8));
          }
        }
      }
    }
    return found;
  }

  @Test
  void newStore_noIdInAnyFile_everythingReadable() throws Exception {
    Path dir = tempDir.resolve("new");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
      assertReadable(store);
    }
    assertEquals(List.of(), idsInClear(dir));
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
      store.<Void, RuntimeException>inTransaction(t -> {
        assertTrue(t.updateDeliveryState(message, DeliveryState.SENT));
        assertTrue(t.rescheduleOutbox(envelope, recipient, T0.plusSeconds(5)));
        assertTrue(t.ackOutbox(envelope, recipient));
        assertTrue(t.deletePendingEnvelope(held));
        assertTrue(t.deleteMailboxEnvelope(boxRecipient, boxEnvelope));
        assertEquals(1, t.pruneSyncEnvelopes(syncChannel, 1));
        assertEquals(Map.of(syncSender, 1L), t.highWaterMarks(syncChannel));
        assertTrue(t.deleteChannel(channel));
        assertTrue(t.history(channel, null, 10).isEmpty());
        assertTrue(t.deleteSpace(space));
        assertTrue(t.spaces().isEmpty());
        assertTrue(t.spaceOperations(space).isEmpty());
        return null;
      });
    }
    assertEquals(List.of(), idsInClear(dir));
  }

  @Test
  void open_step10Database_idsInClear_convertedInPlaceWithNothingLost() throws Exception {
    Path dir = tempDir.resolve("v10");
    try (Storage store = Storages.sqlite(dir)) {
      write(store);
    }
    SqliteStorageTestSupport.undoStep10(dir);
    List<String> before = idsInClear(dir);
    // the ids step 10 converts are in clear before it (the test could fail)
    for (String label : List.of("space-id", "channel-", "owner-pe", "message-", "outbox-e",
        "outbox-r", "held-env", "box-enve", "box-spac", "sync-sen", "author-p", "sender-p",
        "space-op")) {
      assertTrue(before.stream().anyMatch(s -> s.endsWith(label)), label + " not in clear: "
          + before);
    }
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
    }
    assertEquals(List.of(), idsInClear(dir));
    try (Storage store = Storages.sqlite(dir)) {
      assertReadable(store);
    }
  }

  /**
   * Ids are sealed, so the store sorts ties itself: history pages, due outbox entries and held
   * envelopes come in the contract's order, as the in-memory store gives them, for many ties.
   */
  @Test
  void orders_withManyTies_matchTheInMemoryStore() throws Exception {
    Random r = new Random(seed);
    Id ch = id("ordered-channel", 32);
    List<Id> senders = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] b = new byte[1 + r.nextInt(3) * 18];
      r.nextBytes(b);
      senders.add(Id.of(b));
    }
    try (Storage sql = Storages.sqlite(tempDir.resolve("order"));
        Storage mem = Storages.inMemory()) {
      for (Storage s : List.of(sql, mem)) {
        Random same = new Random(seed);
        s.<Void, RuntimeException>inTransaction(t -> {
          for (int i = 0; i < 120; i++) {
            byte[] mid = new byte[32];
            same.nextBytes(mid);
            Id snd = senders.get(same.nextInt(senders.size()));
            t.insertMessage(new StoredMessage(Id.of(mid), ch, snd, same.nextInt(6),
                same.nextInt(4), 1, new byte[] {(byte) i}, T0, DeliveryState.RECEIVED));
            byte[] env = new byte[32];
            same.nextBytes(env);
            t.enqueueOutbox(new OutboxEntry(Id.of(env), senders.get(same.nextInt(5)),
                new byte[] {1}, T0.plusMillis(same.nextInt(4)), 0, T0));
            t.addPendingEnvelope(new PendingEnvelope(Id.of(env), new byte[] {2},
                T0.plusMillis(same.nextInt(3))));
          }
          return null;
        });
      }
      for (int limit : new int[] {2, 7, 50, 200}) {
        assertEquals(pages(mem, ch, limit), pages(sql, ch, limit), "limit " + limit
            + " seed " + seed);
        int l = limit;
        assertEquals(mem.<List<OutboxEntry>, RuntimeException>inTransaction(
            t -> t.dueOutbox(T0.plusMillis(2), l)),
            sql.<List<OutboxEntry>, RuntimeException>inTransaction(
                t -> t.dueOutbox(T0.plusMillis(2), l)), "seed " + seed);
      }
      assertEquals(pending(mem), pending(sql), "seed " + seed);
      assertEquals(mem.<Integer, RuntimeException>inTransaction(
          t -> t.prunePendingEnvelopes(30, T0)),
          sql.<Integer, RuntimeException>inTransaction(t -> t.prunePendingEnvelopes(30, T0)));
      assertEquals(pending(mem), pending(sql), "seed " + seed);
    }
  }

  /** The sealed-ids encoding round-trips any ids. */
  @net.jqwik.api.Property(tries = 50)
  void rowIds_anyIds_roundTrip(@net.jqwik.api.ForAll
      @net.jqwik.api.constraints.Size(min = 1, max = 4) List<@net.jqwik.api.constraints.Size(
          min = 1, max = 255) byte[]> raw) throws Exception {
    Id[] ids = raw.stream().map(Id::of).toArray(Id[]::new);
    assertArrayEquals(ids, RowIds.decode(RowIds.encode(ids), ids.length));
  }

  /** Random or cut bytes decode to ids or fail with a typed error, nothing else. */
  @net.jqwik.api.Property(tries = 200)
  void rowIds_randomBytes_idsOrStorageException(@net.jqwik.api.ForAll
      @net.jqwik.api.constraints.Size(max = 300) byte[] bytes,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 4) int count) {
    try {
      assertEquals(count, RowIds.decode(bytes, count).length);
    } catch (io.spacepanda.spi.StorageException expected) {
      // typed
    }
  }

  private static List<PendingEnvelope> pending(Storage s) throws Exception {
    return s.<List<PendingEnvelope>, RuntimeException>inTransaction(t -> t.pendingEnvelopes());
  }

  /** Every history page from the newest back, by cursor. */
  private static List<List<StoredMessage>> pages(Storage s, Id ch, int limit) throws Exception {
    List<List<StoredMessage>> out = new ArrayList<>();
    HistoryCursor[] before = {null};
    while (true) {
      List<StoredMessage> page = s.<List<StoredMessage>, RuntimeException>inTransaction(
          t -> t.history(ch, before[0], limit));
      if (page.isEmpty()) {
        return out;
      }
      out.add(page);
      before[0] = page.get(0).cursor();
    }
  }
}
