package io.spacepanda.internal.store;

import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.HistoryCursor;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.InviteRedemption;
import io.spacepanda.spi.NodeKeyKind;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.RecipientCounts;
import io.spacepanda.spi.RecipientState;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.KnownPeer;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.NodeRecord;
import io.spacepanda.spi.SyncEnvelope;
import io.spacepanda.spi.TransactionWork;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Storage} that keeps everything in memory, for tests and ephemeral nodes.
 *
 * <p>Design: one lock serializes transactions, so they are trivially serializable. Writes apply
 * to the live maps at once and push their inverse onto an undo log; a transaction whose work
 * throws runs the undo log backwards, which restores exactly the state before it. Records are
 * immutable, so reads hand them out without copying. Messages of a channel are also indexed in a
 * sorted map by display order, so history pages cost O(log n + limit).
 *
 * <p>Thread-safe: any thread may call {@link #inTransaction}; transactions run one at a time.
 */
public final class InMemoryStorage implements Storage {

  private static final Comparator<StoredMessage> DISPLAY_ORDER =
      Comparator.comparing(StoredMessage::cursor).thenComparing(StoredMessage::messageId);

  private final ReentrantLock lock = new ReentrantLock();
  private boolean closed;

  private final Map<NodeKeyKind, SecretBlob> nodeKeys = new EnumMap<>(NodeKeyKind.class);
  private final Map<Id, SecretBlob> groupStates = new HashMap<>();
  private final Map<Id, SecretBlob> keyPackages = new HashMap<>();
  private final Map<Id, SpaceRecord> spaces = new TreeMap<>();
  private final Map<Id, ChannelRecord> channels = new TreeMap<>();
  private final Map<Id, SpaceOperation> spaceOps = new HashMap<>();
  private final Map<Id, StoredMessage> messages = new HashMap<>();
  private final Map<Id, NavigableMap<StoredMessage, Id>> channelIndex = new HashMap<>();
  private final Map<OutboxKey, OutboxEntry> outbox = new HashMap<>();
  private final Map<Id, RecipientStates> recipientStates = new HashMap<>();
  private final Map<Id, PendingEnvelope> pending = new HashMap<>();
  private final Map<Id, Invite> invites = new HashMap<>();
  private final NavigableMap<SyncKey, SyncEnvelope> syncEnvelopes = new TreeMap<>(SyncKey.ORDER);
  /** Per channel, its high-water marks kept as its sync envelopes change; built at first use. */
  private final Map<Id, Marks> marks = new HashMap<>();
  /** Mailboxes: recipient to (put order to envelope). */
  private final Map<Id, NavigableMap<Long, MailboxEnvelope>> mailboxes = new HashMap<>();
  private long mailboxSequence;
  /** The persisted address book (issue 12), replaced whole. */
  private List<KnownPeer> knownPeers = List.of();
  /** Node records by kind, each in the order last written. */
  private final Map<Integer, LinkedHashMap<Id, NodeRecord>> nodeRecords = new HashMap<>();

  /**
   * The recipient states of one message with their counts per state, kept together so that
   * settling one copy reads neither every state nor a copy of them.
   */
  private static final class RecipientStates {
    final NavigableMap<Id, RecipientState> byRecipient = new TreeMap<>();
    /** Counts indexed by {@link RecipientState#ordinal()}. */
    final int[] counts = new int[RecipientState.values().length];

    /** Sets a state, keeping the counts; returns the previous state or null. */
    RecipientState set(Id recipient, RecipientState state) {
      RecipientState old = state == null ? byRecipient.remove(recipient)
          : byRecipient.put(recipient, state);
      if (old != null) {
        counts[old.ordinal()]--;
      }
      if (state != null) {
        counts[state.ordinal()]++;
      }
      return old;
    }

    RecipientCounts counts() {
      return new RecipientCounts(counts[RecipientState.PENDING.ordinal()],
          counts[RecipientState.DELIVERED.ordinal()], counts[RecipientState.FAILED.ordinal()]);
    }
  }

  /**
   * The high-water marks of one channel ({@link StorageTransaction#highWaterMarks}), kept
   * incrementally: an envelope that continues its sender's run extends the mark by walking on;
   * any other change (a gap filled below, a replacement, pruning, a rollback) marks its sender
   * stale, and only stale senders are counted again, from their own envelopes.
   */
  private static final class Marks {
    /** Sender to its mark; -1 when it has none (its lowest envelope is neither 0 nor a tomb). */
    final Map<Id, Long> bySender = new HashMap<>();
    /** Senders whose mark must be counted again. */
    final java.util.Set<Id> stale = new java.util.HashSet<>();
    /** The answer while nothing changed; null once something did. */
    Map<Id, Long> view;
  }

  /** Address of a sync envelope; a null sender sorts first, to start a channel's range. */
  private record SyncKey(Id channel, Id sender, long sequence) {
    static final Comparator<SyncKey> ORDER = Comparator.comparing(SyncKey::channel)
        .thenComparing(SyncKey::sender, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparingLong(SyncKey::sequence);
  }

  /** Creates an empty store. */
  public InMemoryStorage() {}

  @Override
  public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
      throws StorageException, X {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    if (lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("transactions do not nest");
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("storage is closed");
      }
      Tx tx = new Tx();
      boolean committed = false;
      try {
        T result = work.run(tx);
        committed = true;
        return result;
      } finally {
        tx.active = false;
        if (!committed) {
          tx.rollback();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** A sync envelope of a sender was replaced or removed: its mark is counted again. */
  private void syncChanged(Id channel, Id sender) {
    Marks m = marks.get(channel);
    if (m != null) {
      m.stale.add(sender);
      m.view = null;
    }
  }

  /** A sync envelope was added: extends its sender's mark if it continues the sender's run. */
  private void syncAdded(SyncKey k) {
    Marks m = marks.get(k.channel());
    if (m == null) {
      return;
    }
    Long mark = m.stale.contains(k.sender()) ? null : m.bySender.get(k.sender());
    if (mark != null && mark >= 0 && k.sequence() == mark + 1) {
      long last = k.sequence();
      while (syncEnvelopes.containsKey(new SyncKey(k.channel(), k.sender(), last + 1))) {
        last++;
      }
      m.bySender.put(k.sender(), last);
      m.view = null;
    } else if (mark != null && mark >= 0 && k.sequence() > mark + 1) {
      return; // beyond a gap: the mark stays
    } else if (mark != null && mark < 0
        && !k.equals(syncEnvelopes.ceilingKey(new SyncKey(k.channel(), k.sender(), 0)))) {
      return; // not the sender's lowest envelope: still no mark
    } else {
      syncChanged(k.channel(), k.sender());
    }
  }

  /** Counts one sender's mark from its envelopes; -1 if it has none. */
  private long markOf(Id channel, Id sender) {
    long mark = -1;
    long next = -1;
    for (Map.Entry<SyncKey, SyncEnvelope> e
        : syncEnvelopes.tailMap(new SyncKey(channel, sender, 0), true).entrySet()) {
      SyncKey k = e.getKey();
      if (!k.channel().equals(channel) || !k.sender().equals(sender)) {
        break;
      }
      if (next < 0) {
        // A tombstone left by pruning stands for everything below it.
        next = e.getValue().mlsMessageLength() == 0 ? k.sequence() : 0;
      }
      if (k.sequence() != next) {
        break;
      }
      mark = next++;
    }
    return mark;
  }

  private record OutboxKey(Id envelopeId, Id recipient) {}

  private static <T> T need(T value, String name) {
    return StoreArgs.need(value, name);
  }

  private static int needCount(int value, String name) {
    return StoreArgs.needCount(value, name);
  }

  private static Instant millis(Instant value, String name) {
    return Instant.ofEpochMilli(StoreArgs.millis(value, name));
  }

  private final class Tx implements StorageTransaction {
    private final Thread owner = Thread.currentThread();
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private boolean active = true;

    private void check() {
      if (!active || Thread.currentThread() != owner) {
        throw new IllegalStateException("transaction is not active on this thread");
      }
    }

    private void rollback() {
      while (!undo.isEmpty()) {
        undo.pop().run();
      }
    }

    /** Puts a value and logs how to restore the previous mapping. */
    private <K, V> V put(Map<K, V> map, K key, V value) {
      V old = map.put(key, value);
      undo.push(() -> restore(map, key, old));
      return old;
    }

    private <K, V> V remove(Map<K, V> map, K key) {
      V old = map.remove(key);
      if (old != null) {
        undo.push(() -> map.put(key, old));
      }
      return old;
    }

    private <K, V> void restore(Map<K, V> map, K key, V old) {
      if (old == null) {
        map.remove(key);
      } else {
        map.put(key, old);
      }
    }

    @Override
    public void putNodeKey(NodeKeyKind kind, SecretBlob material) {
      check();
      put(nodeKeys, need(kind, "kind"), need(material, "material"));
    }

    @Override
    public Optional<SecretBlob> nodeKey(NodeKeyKind kind) {
      check();
      return Optional.ofNullable(nodeKeys.get(need(kind, "kind")));
    }

    @Override
    public void putGroupState(Id groupId, SecretBlob state) {
      check();
      put(groupStates, need(groupId, "groupId"), need(state, "state"));
    }

    @Override
    public Optional<SecretBlob> groupState(Id groupId) {
      check();
      return Optional.ofNullable(groupStates.get(need(groupId, "groupId")));
    }

    @Override
    public boolean deleteGroupState(Id groupId) {
      check();
      return remove(groupStates, need(groupId, "groupId")) != null;
    }

    @Override
    public void putKeyPackage(Id ref, SecretBlob privateMaterial) {
      check();
      put(keyPackages, need(ref, "ref"), need(privateMaterial, "privateMaterial"));
    }

    @Override
    public Optional<SecretBlob> keyPackage(Id ref) {
      check();
      return Optional.ofNullable(keyPackages.get(need(ref, "ref")));
    }

    @Override
    public boolean deleteKeyPackage(Id ref) {
      check();
      return remove(keyPackages, need(ref, "ref")) != null;
    }

    @Override
    public void putSpace(SpaceRecord space) {
      check();
      put(spaces, need(space, "space").spaceId(), space);
    }

    @Override
    public Optional<SpaceRecord> space(Id spaceId) {
      check();
      return Optional.ofNullable(spaces.get(need(spaceId, "spaceId")));
    }

    @Override
    public List<SpaceRecord> spaces() {
      check();
      return List.copyOf(spaces.values());
    }

    @Override
    public boolean deleteSpace(Id spaceId) {
      check();
      need(spaceId, "spaceId");
      for (ChannelRecord c : List.copyOf(channels.values())) {
        if (c.spaceId().equals(spaceId)) {
          remove(channels, c.channelId());
        }
      }
      for (SpaceOperation op : List.copyOf(spaceOps.values())) {
        if (op.spaceId().equals(spaceId)) {
          remove(spaceOps, op.operationId());
        }
      }
      return remove(spaces, spaceId) != null;
    }

    @Override
    public void putChannel(ChannelRecord channel) {
      check();
      put(channels, need(channel, "channel").channelId(), channel);
    }

    @Override
    public Optional<ChannelRecord> channel(Id channelId) {
      check();
      return Optional.ofNullable(channels.get(need(channelId, "channelId")));
    }

    @Override
    public List<ChannelRecord> channels(Id spaceId) {
      check();
      need(spaceId, "spaceId");
      List<ChannelRecord> out = new ArrayList<>();
      for (ChannelRecord c : channels.values()) {
        if (c.spaceId().equals(spaceId)) {
          out.add(c);
        }
      }
      return List.copyOf(out);
    }

    @Override
    public boolean deleteChannel(Id channelId) {
      check();
      need(channelId, "channelId");
      NavigableMap<StoredMessage, Id> index = channelIndex.get(channelId);
      if (index != null) {
        for (StoredMessage m : List.copyOf(index.keySet())) {
          removeMessage(m);
        }
      }
      return remove(channels, channelId) != null;
    }

    @Override
    public boolean appendSpaceOperation(SpaceOperation operation) {
      check();
      need(operation, "operation");
      if (spaceOps.containsKey(operation.operationId())) {
        return false;
      }
      put(spaceOps, operation.operationId(), operation);
      return true;
    }

    @Override
    public List<SpaceOperation> spaceOperations(Id spaceId) {
      check();
      need(spaceId, "spaceId");
      List<SpaceOperation> out = new ArrayList<>();
      for (SpaceOperation op : spaceOps.values()) {
        if (op.spaceId().equals(spaceId)) {
          out.add(op);
        }
      }
      out.sort(
          Comparator.comparingLong(SpaceOperation::lamport)
              .thenComparing(SpaceOperation::authorPeerId)
              .thenComparing(SpaceOperation::operationId));
      return List.copyOf(out);
    }

    @Override
    public boolean insertMessage(StoredMessage message) {
      check();
      need(message, "message");
      if (messages.containsKey(message.messageId())) {
        return false;
      }
      addMessage(message);
      return true;
    }

    private void addMessage(StoredMessage m) {
      messages.put(m.messageId(), m);
      NavigableMap<StoredMessage, Id> index =
          channelIndex.computeIfAbsent(m.channelId(), k -> new TreeMap<>(DISPLAY_ORDER));
      index.put(m, m.messageId());
      undo.push(() -> dropMessage(m));
    }

    private void removeMessage(StoredMessage m) {
      dropMessage(m);
      undo.push(() -> {
        messages.put(m.messageId(), m);
        channelIndex.computeIfAbsent(m.channelId(), k -> new TreeMap<>(DISPLAY_ORDER))
            .put(m, m.messageId());
      });
    }

    private void dropMessage(StoredMessage m) {
      messages.remove(m.messageId());
      NavigableMap<StoredMessage, Id> index = channelIndex.get(m.channelId());
      index.remove(m);
      if (index.isEmpty()) {
        channelIndex.remove(m.channelId());
      }
    }

    @Override
    public Optional<StoredMessage> message(Id messageId) {
      check();
      return Optional.ofNullable(messages.get(need(messageId, "messageId")));
    }

    @Override
    public List<StoredMessage> history(Id channelId, HistoryCursor before, int limit) {
      check();
      need(channelId, "channelId");
      needCount(limit, "limit");
      NavigableMap<StoredMessage, Id> index = channelIndex.get(channelId);
      if (index == null || limit == 0) {
        return List.of();
      }
      ArrayDeque<StoredMessage> page = new ArrayDeque<>();
      for (StoredMessage m : index.descendingKeySet()) {
        if (before != null && m.cursor().compareTo(before) >= 0) {
          continue;
        }
        page.addFirst(m);
        if (page.size() == limit) {
          break;
        }
      }
      return List.copyOf(page);
    }

    @Override
    public OptionalLong maxLamport(Id channelId) {
      check();
      NavigableMap<StoredMessage, Id> index = channelIndex.get(need(channelId, "channelId"));
      return index == null ? OptionalLong.empty() : OptionalLong.of(index.lastKey().lamport());
    }

    @Override
    public boolean updateDeliveryState(Id messageId, DeliveryState state) {
      check();
      need(messageId, "messageId");
      need(state, "state");
      StoredMessage m = messages.get(messageId);
      if (m == null) {
        return false;
      }
      removeMessage(m);
      addMessage(m.withDeliveryState(state));
      return true;
    }

    @Override
    public boolean enqueueOutbox(OutboxEntry entry) {
      check();
      need(entry, "entry");
      OutboxKey key = new OutboxKey(entry.envelopeId(), entry.recipient());
      if (outbox.containsKey(key)) {
        return false;
      }
      put(outbox, key, entry);
      return true;
    }

    @Override
    public List<OutboxEntry> dueOutbox(Instant now, int limit) {
      check();
      Instant at = millis(now, "now");
      needCount(limit, "limit");
      List<OutboxEntry> due = new ArrayList<>();
      for (OutboxEntry e : outbox.values()) {
        if (!e.nextAttemptAt().isAfter(at)) {
          due.add(e);
        }
      }
      due.sort(
          Comparator.comparing(OutboxEntry::nextAttemptAt)
              .thenComparing(OutboxEntry::envelopeId)
              .thenComparing(OutboxEntry::recipient));
      return List.copyOf(due.subList(0, Math.min(limit, due.size())));
    }

    @Override
    public boolean ackOutbox(Id envelopeId, Id recipient) {
      check();
      OutboxKey key = new OutboxKey(need(envelopeId, "envelopeId"), need(recipient, "recipient"));
      return remove(outbox, key) != null;
    }

    @Override
    public boolean rescheduleOutbox(Id envelopeId, Id recipient, Instant nextAttemptAt) {
      check();
      OutboxKey key = new OutboxKey(need(envelopeId, "envelopeId"), need(recipient, "recipient"));
      millis(nextAttemptAt, "nextAttemptAt");
      OutboxEntry e = outbox.get(key);
      if (e == null) {
        return false;
      }
      int attempts = e.attempts() == Integer.MAX_VALUE ? e.attempts() : e.attempts() + 1;
      put(outbox, key, new OutboxEntry(envelopeId, recipient, e.payload(), nextAttemptAt,
          attempts, e.enqueuedAt()));
      return true;
    }

    @Override
    public void putRecipientState(Id messageId, Id recipient, RecipientState state) {
      check();
      need(messageId, "messageId");
      need(recipient, "recipient");
      need(state, "state");
      RecipientStates states = recipientStates.get(messageId);
      if (states == null) {
        states = new RecipientStates();
        put(recipientStates, messageId, states);
      }
      RecipientStates s = states;
      RecipientState old = s.set(recipient, state);
      undo.push(() -> s.set(recipient, old));
    }

    @Override
    public Map<Id, RecipientState> recipientStates(Id messageId) {
      check();
      RecipientStates states = recipientStates.get(need(messageId, "messageId"));
      return states == null ? Map.of()
          : Collections.unmodifiableMap(new TreeMap<>(states.byRecipient));
    }

    @Override
    public Optional<RecipientState> recipientState(Id messageId, Id recipient) {
      check();
      RecipientStates states = recipientStates.get(need(messageId, "messageId"));
      need(recipient, "recipient");
      return states == null ? Optional.empty()
          : Optional.ofNullable(states.byRecipient.get(recipient));
    }

    @Override
    public RecipientCounts recipientCounts(Id messageId) {
      check();
      RecipientStates states = recipientStates.get(need(messageId, "messageId"));
      return states == null ? RecipientCounts.NONE : states.counts();
    }

    @Override
    public int deleteRecipientStates(Id messageId) {
      check();
      RecipientStates old = remove(recipientStates, need(messageId, "messageId"));
      return old == null ? 0 : old.byRecipient.size();
    }

    @Override
    public boolean putSyncEnvelope(SyncEnvelope envelope) {
      check();
      need(envelope, "envelope");
      SyncKey key = new SyncKey(envelope.channelId(), envelope.sender(), envelope.sequence());
      if (syncEnvelopes.containsKey(key)) {
        return false;
      }
      put(syncEnvelopes, key, envelope);
      undo.push(() -> syncChanged(key.channel(), key.sender()));
      syncAdded(key);
      return true;
    }

    @Override
    public void replaceSyncEnvelope(SyncEnvelope envelope) {
      check();
      need(envelope, "envelope");
      put(syncEnvelopes, new SyncKey(envelope.channelId(), envelope.sender(),
          envelope.sequence()), envelope);
      syncTouched(envelope.channelId(), envelope.sender());
    }

    /** Marks a sender's mark stale now and again if the transaction rolls back. */
    private void syncTouched(Id channel, Id sender) {
      undo.push(() -> syncChanged(channel, sender));
      syncChanged(channel, sender);
    }

    @Override
    public List<SyncEnvelope> syncEnvelopes(Id channelId, Id sender, long fromSequence,
        int limit) {
      check();
      need(channelId, "channelId");
      need(sender, "sender");
      needCount(limit, "limit");
      List<SyncEnvelope> out = new ArrayList<>();
      for (Map.Entry<SyncKey, SyncEnvelope> e : syncEnvelopes.tailMap(
          new SyncKey(channelId, sender, fromSequence), true).entrySet()) {
        if (out.size() >= limit || !e.getKey().channel().equals(channelId)
            || !e.getKey().sender().equals(sender)) {
          break;
        }
        out.add(e.getValue());
      }
      return List.copyOf(out);
    }

    @Override
    public Map<Id, Long> highWaterMarks(Id channelId) {
      check();
      need(channelId, "channelId");
      Marks m = marks.get(channelId);
      if (m == null) {
        m = new Marks();
        for (SyncKey k : syncEnvelopes.tailMap(new SyncKey(channelId, null, 0), true).keySet()) {
          if (!k.channel().equals(channelId)) {
            break;
          }
          m.stale.add(k.sender());
        }
        marks.put(channelId, m);
      }
      if (!m.stale.isEmpty()) {
        for (Id sender : m.stale) {
          m.bySender.put(sender, markOf(channelId, sender));
        }
        m.stale.clear();
        m.view = null;
      }
      if (m.view == null) {
        Map<Id, Long> out = new TreeMap<>();
        for (Map.Entry<Id, Long> e : m.bySender.entrySet()) {
          if (e.getValue() >= 0) {
            out.put(e.getKey(), e.getValue());
          }
        }
        m.view = Collections.unmodifiableMap(out);
      }
      return m.view;
    }

    @Override
    public int pruneSyncEnvelopes(Id channelId, int keepPerSender) {
      check();
      need(channelId, "channelId");
      if (keepPerSender < 1) {
        throw new IllegalArgumentException("keepPerSender must be at least 1: " + keepPerSender);
      }
      Map<Id, List<SyncKey>> bySender = new HashMap<>();
      for (SyncKey k : syncEnvelopes.tailMap(new SyncKey(channelId, null, 0), true).keySet()) {
        if (!k.channel().equals(channelId)) {
          break;
        }
        bySender.computeIfAbsent(k.sender(), x -> new ArrayList<>()).add(k);
      }
      int changed = 0;
      for (List<SyncKey> keys : bySender.values()) {
        int cut = keys.size() - keepPerSender;
        if (cut <= 0) {
          continue;
        }
        syncTouched(channelId, keys.get(0).sender());
        for (int i = 0; i < cut - 1; i++) {
          remove(syncEnvelopes, keys.get(i));
          changed++;
        }
        SyncKey last = keys.get(cut - 1);
        SyncEnvelope old = syncEnvelopes.get(last);
        if (old.mlsMessageLength() > 0) {
          put(syncEnvelopes, last, new SyncEnvelope(old.channelId(), old.sender(),
              old.sequence(), old.epoch(), new byte[0]));
          changed++;
        }
      }
      return changed;
    }

    @Override
    public boolean replaceKnownPeers(List<KnownPeer> peers) {
      check();
      need(peers, "peers");
      if (peers.size() > KnownPeer.MAX_KNOWN_PEERS) {
        throw new IllegalArgumentException("more than " + KnownPeer.MAX_KNOWN_PEERS + " peers");
      }
      List<KnownPeer> old = knownPeers;
      knownPeers = List.copyOf(peers);
      undo.push(() -> knownPeers = old);
      return true;
    }

    @Override
    public List<KnownPeer> knownPeers() {
      check();
      return knownPeers;
    }

    @Override
    public boolean putNodeRecord(NodeRecord r) {
      check();
      need(r, "record");
      LinkedHashMap<Id, NodeRecord> m = nodeRecords.computeIfAbsent(r.kind(),
          k -> new LinkedHashMap<>());
      undoTo(m);
      m.remove(r.key());
      m.put(r.key(), r);
      return true;
    }

    @Override
    public List<NodeRecord> nodeRecords(int kind) {
      check();
      LinkedHashMap<Id, NodeRecord> m = nodeRecords.get(kind);
      return m == null ? List.of() : List.copyOf(m.values());
    }

    @Override
    public boolean deleteNodeRecord(int kind, Id key) {
      check();
      need(key, "key");
      LinkedHashMap<Id, NodeRecord> m = nodeRecords.get(kind);
      if (m == null || !m.containsKey(key)) {
        return false;
      }
      undoTo(m);
      m.remove(key);
      return true;
    }

    /** On rollback, puts the records of one kind back as they are now, in their order. */
    private void undoTo(LinkedHashMap<Id, NodeRecord> m) {
      List<NodeRecord> before = List.copyOf(m.values());
      undo.push(() -> {
        m.clear();
        for (NodeRecord r : before) {
          m.put(r.key(), r);
        }
      });
    }

    @Override
    public boolean putMailboxEnvelope(MailboxEnvelope envelope) {
      check();
      need(envelope, "envelope");
      NavigableMap<Long, MailboxEnvelope> box = mailboxes.get(envelope.recipient());
      if (box != null) {
        for (MailboxEnvelope e : box.values()) {
          if (e.envelopeId().equals(envelope.envelopeId())) {
            return false;
          }
        }
      } else {
        box = new TreeMap<>();
        put(mailboxes, envelope.recipient(), box);
      }
      long seq = ++mailboxSequence;
      put(box, seq, envelope);
      return true;
    }

    @Override
    public List<MailboxEnvelope> mailboxEnvelopes(Id recipient, int limit) {
      check();
      need(recipient, "recipient");
      needCount(limit, "limit");
      NavigableMap<Long, MailboxEnvelope> box = mailboxes.get(recipient);
      if (box == null) {
        return List.of();
      }
      return box.values().stream().limit(limit).toList();
    }

    @Override
    public int mailboxCount(Id recipient) {
      check();
      need(recipient, "recipient");
      NavigableMap<Long, MailboxEnvelope> box = mailboxes.get(recipient);
      return box == null ? 0 : box.size();
    }

    @Override
    public boolean deleteMailboxEnvelope(Id recipient, Id envelopeId) {
      check();
      need(recipient, "recipient");
      need(envelopeId, "envelopeId");
      NavigableMap<Long, MailboxEnvelope> box = mailboxes.get(recipient);
      if (box == null) {
        return false;
      }
      for (Map.Entry<Long, MailboxEnvelope> e : box.entrySet()) {
        if (e.getValue().envelopeId().equals(envelopeId)) {
          remove(box, e.getKey());
          return true;
        }
      }
      return false;
    }

    @Override
    public int pruneMailboxes(Instant depositedBefore) {
      check();
      Instant cutoff = millis(depositedBefore, "depositedBefore");
      int deleted = 0;
      for (NavigableMap<Long, MailboxEnvelope> box : mailboxes.values()) {
        for (Map.Entry<Long, MailboxEnvelope> e : List.copyOf(box.entrySet())) {
          if (e.getValue().depositedAt().isBefore(cutoff)) {
            remove(box, e.getKey());
            deleted++;
          }
        }
      }
      return deleted;
    }

    @Override
    public boolean addPendingEnvelope(PendingEnvelope envelope) {
      check();
      need(envelope, "envelope");
      if (pending.containsKey(envelope.envelopeId())) {
        return false;
      }
      put(pending, envelope.envelopeId(), envelope);
      return true;
    }

    @Override
    public List<PendingEnvelope> pendingEnvelopes() {
      check();
      return List.copyOf(sortedPending());
    }

    private List<PendingEnvelope> sortedPending() {
      List<PendingEnvelope> all = new ArrayList<>(pending.values());
      all.sort(
          Comparator.comparing(PendingEnvelope::receivedAt)
              .thenComparing(PendingEnvelope::envelopeId));
      return all;
    }

    @Override
    public boolean deletePendingEnvelope(Id envelopeId) {
      check();
      return remove(pending, need(envelopeId, "envelopeId")) != null;
    }

    @Override
    public int prunePendingEnvelopes(int maxCount, Instant receivedBefore) {
      check();
      needCount(maxCount, "maxCount");
      Instant cutoff = millis(receivedBefore, "receivedBefore");
      List<PendingEnvelope> all = sortedPending();
      int deleted = 0;
      int remaining = all.size();
      for (PendingEnvelope p : all) {
        if (p.receivedAt().isBefore(cutoff) || remaining > maxCount) {
          remove(pending, p.envelopeId());
          deleted++;
          remaining--;
        }
      }
      return deleted;
    }

    @Override
    public boolean putInvite(Invite invite) {
      check();
      need(invite, "invite");
      if (invites.containsKey(invite.secretHash())) {
        return false;
      }
      put(invites, invite.secretHash(), invite);
      return true;
    }

    @Override
    public Optional<Invite> invite(Id secretHash) {
      check();
      return Optional.ofNullable(invites.get(need(secretHash, "secretHash")));
    }

    @Override
    public InviteRedemption redeemInvite(Id secretHash, Instant now) {
      check();
      need(secretHash, "secretHash");
      Instant at = millis(now, "now");
      Invite invite = invites.get(secretHash);
      if (invite == null) {
        return InviteRedemption.UNKNOWN;
      }
      if (invite.used()) {
        return InviteRedemption.ALREADY_USED;
      }
      if (!invite.expiresAt().isAfter(at)) {
        return InviteRedemption.EXPIRED;
      }
      put(invites, secretHash, new Invite(secretHash, invite.expiresAt(), true));
      return InviteRedemption.REDEEMED;
    }
  }
}
