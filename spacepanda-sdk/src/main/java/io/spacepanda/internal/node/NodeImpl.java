package io.spacepanda.internal.node;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.spacepanda.Channel;
import io.spacepanda.InviteRefusedException;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaException;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.Storages;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.internal.crypto.KeyFormatException;
import io.spacepanda.internal.crypto.SecretBytes;
import io.spacepanda.internal.delivery.InnerPayload;
import io.spacepanda.internal.delivery.JitterScheduler;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.envelope.EnvelopeException;
import io.spacepanda.internal.envelope.EnvelopeTooLargeException;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.envelope.SealedEnvelope;
import io.spacepanda.internal.envelope.TagIndex;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.group.CommitOptions;
import io.spacepanda.internal.mls.group.CommitResult;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.group.ProcessedMessage;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.HistoryCursor;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Invite;
import io.spacepanda.spi.InviteRedemption;
import io.spacepanda.spi.NodeKeyKind;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import io.spacepanda.spi.StoredMessage;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportIdentity;
import io.spacepanda.spi.TransportListener;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node behind {@link SpacePanda}: identity, spaces and channels over MLS, the send and receive
 * pipelines, the outbox, and the invite and channel-join flows.
 *
 * <p>Design (DESIGN.md): every MLS group (a channel, or a space's control group) has its creator as
 * single committer. A message goes inner payload → MLS PrivateMessage → group envelope keyed from
 * the channel's exporter → one outbox entry per other member → one jittered copy each. An inbound
 * envelope is matched to a (channel, epoch) by its tag, opened, MLS-processed, deduplicated by
 * message id (SHA-256 of the MLS message) in a bounded Caffeine cache and by the store's
 * uniqueness, stored together with the advanced group state, and only then reported to the
 * listener. An envelope whose tag matches no key is kept (bounded in count and age) and retried
 * after every epoch change. Joining a space: a join request in a direct envelope to the inviter's
 * inbox key; the owner redeems the one-time invite, commits the adds to the control group and the
 * default channel, and answers with the Welcomes sealed to the joiner's inbox key. Other channels
 * are joined by asking their owners. Non-owners' proposals travel as group envelopes to every
 * member, because the owner's commit includes them by reference (RFC 9420 §12.4).
 *
 * <p>Threading: all node state, MLS groups included, is guarded by one {@link ReentrantLock}
 * ({@code lock}); work runs on the calling thread, the transport's threads and the scheduler's
 * threads, each holding the lock. The transport is never called with the lock held. Listener
 * callbacks are queued in state-change order while the lock is held and run, one at a time on the
 * listener executor, after it is released; returned futures are completed after it is released.
 */
public final class NodeImpl implements SpacePanda {

  private static final Logger LOG = LoggerFactory.getLogger(NodeImpl.class);
  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final String DEFAULT_CHANNEL = "general";
  private static final int MAX_NAME = 100;
  private static final Duration INVITE_LIFETIME = Duration.ofDays(7);
  private static final int MAX_PENDING_ENVELOPES = 1000;
  /** Messages being reassembled from fragments at once; the oldest is dropped beyond it. */
  private static final int MAX_REASSEMBLIES = 16;
  /** Chunk size tried first when a node message does not fit one direct envelope. */
  private static final int FRAGMENT_CHUNK = 32 * 1024;
  private static final int MIN_FRAGMENT_CHUNK = 1024;
  private static final Duration PENDING_ENVELOPE_AGE = Duration.ofDays(7);
  private static final int DEDUP_CACHE_SIZE = 100_000;
  private static final int MAX_HELD_REQUESTS = 256;
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final int MAX_ATTEMPTS = 100;
  private static final byte[] META_SUFFIX = "/meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RATCHET_SUFFIX = "/ratchet".getBytes(StandardCharsets.US_ASCII);
  /** Storage key suffix of the exporter outputs behind the retained epochs' envelope keys. */
  private static final byte[] ENVELOPE_KEYS_SUFFIX =
      "/envelope-keys".getBytes(StandardCharsets.US_ASCII);

  private final NodeConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong dropped = new AtomicLong();

  // ---- guarded by lock
  private State state = State.NEW;
  private Storage storage;
  private Transport transport;
  private IdentityKey identity;
  private InboxKey inbox;
  private PeerId self;
  private KeyPair signatureKeys;
  private MlsConfig mls;
  private Padding padding;
  private Scheduler scheduler;
  private JitterScheduler jitter;
  private ScheduledExecutorService ownScheduler;
  private ExecutorService ownListenerThread;
  private volatile SerialExecutor listenerExecutor;
  private final Map<Id, SpaceEntry> spaces = new HashMap<>();
  private final Map<Id, GroupChannel> groups = new HashMap<>();
  private final TagIndex<EpochLabel> tags = new TagIndex<>();
  /**
   * Ids of messages already handled; its upkeep runs on the calling thread (under the node's lock)
   * rather than as a task handed to the common pool after every write.
   */
  private final Cache<MessageId, Boolean> seen =
      Caffeine.newBuilder().maximumSize(DEDUP_CACHE_SIZE).executor(Runnable::run).build();
  private final Map<String, PendingJoin> joins = new HashMap<>();
  private final Map<String, Reassembly> reassemblies = new java.util.LinkedHashMap<>();
  private final Map<Id, KeyPackageBundle> channelJoins = new HashMap<>();
  private final Map<Id, Delivery> deliveries = new HashMap<>();
  private final Set<PeerId> leaving = new HashSet<>();
  private final Map<Id, Set<PeerId>> wantedRemovals = new HashMap<>();
  private final ArrayDeque<NodeWire.ChannelJoinRequest> heldRequests = new ArrayDeque<>();
  private final List<Runnable> afterUnlock = new ArrayList<>();
  private boolean retrying;

  private enum State { NEW, STARTED, CLOSED }

  /** The label of one (group, epoch) key set in the tag index. */
  record EpochLabel(Id group, long epoch) {}

  /** A space as the node holds it. */
  static final class SpaceEntry {
    SpaceRecord record;
    GroupChannel control;
    SpaceState meta;

    Contact contact(PeerId peer) {
      return meta.view().contacts().get(peer);
    }
  }

  /** A join this node is waiting for. */
  record PendingJoin(CompletableFuture<Space> future, KeyPackageBundle control,
      KeyPackageBundle channel, InviteCode code) {}

  /** Delivery progress of one of this node's messages. */
  static final class Delivery {
    final MessageId message;
    final int recipients;
    final Set<PeerId> acknowledged = new HashSet<>();

    Delivery(MessageId message, int recipients) {
      this.message = message;
      this.recipients = recipients;
    }
  }

  /**
   * Creates a node from checked options; touches nothing.
   *
   * @param config the options
   */
  public NodeImpl(NodeConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  // =============================================================================================
  // Lifecycle

  @Override
  public CompletableFuture<Void> start() {
    CompletableFuture<Void> started;
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IllegalStateException("node was already " + state.name().toLowerCase());
      }
      try {
        storage = openStorage();
        loadOrCreateKeys();
      } catch (StorageException e) {
        state = State.CLOSED;
        return CompletableFuture.failedFuture(e);
      }
      mls = MlsConfig.builder().pastEpochsRetained(config.pastEpochRetention())
          .clock(config.clock()).random(config.random()).build();
      padding = config.paddingBucketsOrNull() == null ? Padding.defaults()
          : Padding.of(config.paddingBucketsOrNull());
      if (config.schedulerOrNull() != null) {
        scheduler = config.schedulerOrNull();
      } else {
        ownScheduler = Executors.newSingleThreadScheduledExecutor(daemon("spacepanda-scheduler"));
        scheduler = Scheduler.of(ownScheduler);
      }
      jitter = new JitterScheduler(config.jitter(), scheduler, config.random());
      Executor le = config.listenerExecutorOrNull();
      if (le == null) {
        ownListenerThread = Executors.newSingleThreadExecutor(daemon("spacepanda-listener"));
        le = ownListenerThread;
      }
      listenerExecutor = new SerialExecutor(le);
      try {
        loadState();
      } catch (StorageException | MlsException e) {
        state = State.CLOSED;
        return CompletableFuture.failedFuture(e);
      }
      state = State.STARTED;
      if (config.transport() != null) {
        transport = config.transport().create(new TransportContext(self, transportIdentity(),
            config.listen(), config.bootstrap(), new InboundListener()));
        started = transport.start();
        for (SpaceEntry ss : spaces.values()) {
          for (Contact c : ss.meta.view().contacts().values()) {
            learnAddresses(c.peer(), c.addresses());
          }
        }
      } else {
        started = CompletableFuture.completedFuture(null);
      }
    } finally {
      lock.unlock();
    }
    return started.thenRun(() -> locked(() -> {
      announceChangedContact();
      resendOutbox();
      retryPending();
      return null;
    }));
  }

  private Storage openStorage() throws StorageException {
    if (config.storage() != null) {
      return config.storage();
    }
    if (config.dataDir() != null) {
      char[] p = config.passphraseOrNull();
      return p == null ? Storages.sqlite(config.dataDir()) : Storages.sqlite(config.dataDir(), p);
    }
    return Storages.inMemory();
  }

  private void loadOrCreateKeys() throws StorageException {
    tx(t -> {
      Optional<SecretBlob> id = t.nodeKey(NodeKeyKind.IDENTITY);
      Optional<SecretBlob> in = t.nodeKey(NodeKeyKind.INBOX);
      try {
        if (id.isPresent()) {
          identity = IdentityKey.restore(SecretBytes.copyOf(id.get().revealBytes()));
        } else {
          identity = IdentityKey.generate(config.random());
          t.putNodeKey(NodeKeyKind.IDENTITY,
              SecretBlob.copyOf(identity.exportPrivate().exportSecret()));
        }
        if (in.isPresent()) {
          inbox = InboxKey.restore(SecretBytes.copyOf(in.get().revealBytes()));
        } else {
          inbox = InboxKey.generate(config.random());
          t.putNodeKey(NodeKeyKind.INBOX, SecretBlob.copyOf(inbox.exportPrivate().exportSecret()));
        }
      } catch (KeyFormatException e) {
        throw new StorageException("stored node key is malformed", e);
      }
    });
    self = identity.peerId();
    signatureKeys = new KeyPair(identity.exportSeed().exportSecret(), identity.publicKey());
  }

  private void loadState() throws StorageException, MlsException {
    List<SpaceRecord> recs = new ArrayList<>();
    Map<Id, List<ChannelRecord>> chans = new HashMap<>();
    Map<Id, byte[]> states = new HashMap<>();
    Map<Id, Long> sequences = new HashMap<>();
    Map<Id, byte[]> ratchets = new HashMap<>();
    Map<Id, byte[]> envelopeKeys = new HashMap<>();
    Map<Id, Long> lamports = new HashMap<>();
    Map<Id, List<SpaceOperation>> ops = new HashMap<>();
    tx(t -> {
      recs.addAll(t.spaces());
      for (SpaceRecord s : recs) {
        List<ChannelRecord> cs = t.channels(s.spaceId());
        chans.put(s.spaceId(), cs);
        ops.put(s.spaceId(), t.spaceOperations(s.spaceId()));
        for (ChannelRecord c : cs) {
          t.groupState(c.channelId()).ifPresent(b -> states.put(c.channelId(), b.revealBytes()));
          t.groupState(suffixed(c.channelId(), RATCHET_SUFFIX)).ifPresent(
              b -> ratchets.put(c.channelId(), b.revealBytes()));
          t.groupState(suffixed(c.channelId(), ENVELOPE_KEYS_SUFFIX)).ifPresent(
              b -> envelopeKeys.put(c.channelId(), b.revealBytes()));
          t.groupState(metaId(c.channelId())).ifPresent(
              b -> sequences.put(c.channelId(), decodeLong(b.revealBytes())));
          t.maxLamport(c.channelId()).ifPresent(l -> lamports.put(c.channelId(), l));
        }
      }
    });
    for (SpaceRecord s : recs) {
      SpaceEntry ss = new SpaceEntry();
      ss.record = s;
      List<SpaceOp> decoded = new ArrayList<>();
      for (SpaceOperation op : ops.get(s.spaceId())) {
        try {
          decoded.add(SpaceOp.decode(op.payload()));
        } catch (SpaceDecodeException e) {
          LOG.warn("skipping an unreadable space operation");
        }
      }
      ss.meta = SpaceState.of(SpaceId.of(s.spaceId().toBytes()),
          PeerId.fromBytes(s.ownerPeerId().toBytes()), decoded);
      for (ChannelRecord c : chans.get(s.spaceId())) {
        byte[] st = states.get(c.channelId());
        if (st == null) {
          continue;
        }
        byte[] ratchet = ratchets.get(c.channelId());
        Group g = ratchet == null ? Group.fromBytes(mls, st) : Group.fromBytes(mls, st, ratchet);
        if (!g.isActive()) {
          continue;
        }
        GroupChannel gc = new GroupChannel(c.channelId(), c.spaceId(), c.name(), c.kind(),
            PeerId.fromBytes(c.ownerPeerId().toBytes()), c.createdAt(), g,
            lamports.getOrDefault(c.channelId(), 0L), sequences.getOrDefault(c.channelId(), 0L));
        byte[] pastKeys = envelopeKeys.get(c.channelId());
        if (pastKeys != null) {
          try {
            gc.restoreKeySecrets(pastKeys);
          } catch (IllegalArgumentException e) {
            LOG.warn("unreadable envelope keys of past epochs; late messages of those epochs are held");
          }
        }
        register(gc);
        if (gc.isControl()) {
          ss.control = gc;
        }
      }
      if (ss.control != null) {
        spaces.put(s.spaceId(), ss);
      }
    }
  }

  @Override
  public void close() {
    Transport t;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasStarted = state == State.STARTED;
      state = State.CLOSED;
      t = transport;
      transport = null;
      if (!wasStarted) {
        return;
      }
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.close();
    }
    lock.lock();
    try {
      try {
        storage.close();
      } catch (StorageException e) {
        LOG.warn("closing storage failed: {}", e.getMessage());
      }
      if (ownScheduler != null) {
        ownScheduler.shutdownNow();
      }
      if (ownListenerThread != null) {
        ownListenerThread.shutdown();
      }
    } finally {
      lock.unlock();
    }
    awaitTermination(ownScheduler);
    awaitTermination(ownListenerThread);
  }

  private static void awaitTermination(ExecutorService executor) {
    if (executor == null) {
      return;
    }
    try {
      if (!executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.warn("a node thread did not stop within 5 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // =============================================================================================
  // Queries

  @Override
  public PeerId peerId() {
    return locked(() -> {
      if (self == null) {
        throw new IllegalStateException("node is not started");
      }
      return self;
    });
  }

  @Override
  public List<String> listenAddresses() {
    Transport t = locked(() -> transport);
    return t == null ? List.of() : AdvertisedAddresses.expand(t.listenAddresses());
  }

  @Override
  public List<Space> spaces() {
    return locked(() -> spaces.values().stream()
        .sorted(Comparator.comparing((SpaceEntry s) -> s.record.name())
            .thenComparing(s -> s.record.spaceId()))
        .map(s -> (Space) new SpaceHandle(this, s.record.spaceId())).toList());
  }

  @Override
  public Optional<Space> space(String spaceId) {
    Objects.requireNonNull(spaceId, "spaceId");
    return locked(() -> {
      Id id;
      try {
        id = Id.ofHex(spaceId);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      return spaces.containsKey(id) ? Optional.of(new SpaceHandle(this, id)) : Optional.empty();
    });
  }

  @Override
  public long droppedEnvelopes() {
    return dropped.get();
  }

  SpaceEntry spaceState(Id spaceId) {
    SpaceEntry s = spaces.get(spaceId);
    if (s == null) {
      throw new IllegalStateException("this node is not a member of space " + spaceId);
    }
    return s;
  }

  GroupChannel channelState(Id channelId) {
    GroupChannel gc = groups.get(channelId);
    if (gc == null) {
      throw new IllegalStateException("this node is not a member of channel " + channelId);
    }
    return gc;
  }

  String spaceName(Id spaceId) {
    return locked(() -> spaceState(spaceId).record.name());
  }

  PeerId spaceOwner(Id spaceId) {
    return locked(() -> spaceState(spaceId).control.owner());
  }

  Set<PeerId> spaceMembers(Id spaceId) {
    return locked(() -> spaceState(spaceId).control.members());
  }

  Map<PeerId, Role> roles(Id spaceId) {
    return locked(() -> Map.copyOf(spaceState(spaceId).meta.view().members()));
  }

  CompletableFuture<Void> setRole(Id spaceId, PeerId member, Role role) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(role, "role");
    return async(() -> {
      requireStarted();
      SpaceEntry ss = spaceState(spaceId);
      SpaceOp.Body body = new SpaceOp.SetRole(member, role);
      if (!ss.meta.permits(self, body)) {
        throw new IllegalStateException("this node's role may not make " + member + " " + role);
      }
      publish(ss, body);
      return null;
    });
  }

  List<Channel> channels(Id spaceId) {
    return locked(() -> groups.values().stream()
        .filter(g -> !g.isControl() && g.spaceId().equals(spaceId))
        .sorted(Comparator.comparing(GroupChannel::name).thenComparing(GroupChannel::id))
        .map(g -> (Channel) new ChannelHandle(this, g.id(), g.spaceId())).toList());
  }

  String channelName(Id channelId) {
    return locked(() -> channelState(channelId).name());
  }

  PeerId channelOwner(Id channelId) {
    return locked(() -> channelState(channelId).owner());
  }

  Set<PeerId> channelMembers(Id channelId) {
    return locked(() -> channelState(channelId).members());
  }

  // =============================================================================================
  // Spaces and channels

  @Override
  public CompletableFuture<Space> createSpace(String name) {
    checkName(name);
    return async(() -> {
      requireStarted();
      Instant now = now();
      Id spaceId = randomId();
      GroupChannel control = new GroupChannel(spaceId, spaceId, name, GroupChannel.KIND_CONTROL,
          self, now, newGroup(spaceId), 0, 0);
      Id channelId = randomId();
      GroupChannel general = new GroupChannel(channelId, spaceId, DEFAULT_CHANNEL,
          GroupChannel.KIND_TEXT, self, now, newGroup(channelId), 0, 0);
      SpaceEntry ss = new SpaceEntry();
      ss.record = new SpaceRecord(spaceId, name, peerKey(self), now);
      ss.control = control;
      ss.meta = new SpaceState(SpaceId.of(spaceId.toBytes()), self);
      SpaceOp named = ss.meta.newOp(self, new SpaceOp.RenameSpace(name));
      ss.meta.apply(named);
      SpaceOp contact = ss.meta.newOp(self, new SpaceOp.UpdateContact(myContact()));
      ss.meta.apply(contact);
      SpaceOp created = ss.meta.newOp(self, new SpaceOp.CreateChannel(
          ChannelId.of(channelId.toBytes()), DEFAULT_CHANNEL, SpaceConstants.CHANNEL_KIND_TEXT));
      ss.meta.apply(created);
      tx(t -> {
        t.putSpace(ss.record);
        saveChannel(t, control);
        saveChannel(t, general);
        t.appendSpaceOperation(stored(named));
        t.appendSpaceOperation(stored(contact));
        t.appendSpaceOperation(stored(created));
      });
      spaces.put(spaceId, ss);
      register(control);
      register(general);
      ChannelHandle h = new ChannelHandle(this, channelId, spaceId);
      event(l -> l.onChannelCreated(h));
      return new SpaceHandle(this, spaceId);
    });
  }

  CompletableFuture<Channel> createChannel(Id spaceId, String name) {
    checkName(name);
    return async(() -> {
      requireStarted();
      SpaceEntry ss = spaceState(spaceId);
      Id channelId = randomId();
      SpaceOp.Body body = new SpaceOp.CreateChannel(ChannelId.of(channelId.toBytes()), name,
          SpaceConstants.CHANNEL_KIND_TEXT);
      if (!ss.meta.permits(self, body)) {
        throw new IllegalStateException("role " + ss.meta.view().roleOf(self).orElse(null)
            + " may not create channels; the owner or an admin can");
      }
      GroupChannel gc = new GroupChannel(channelId, spaceId, name, GroupChannel.KIND_TEXT, self,
          now(), newGroup(channelId), 0, 0);
      tx(t -> saveChannel(t, gc));
      register(gc);
      publish(ss, body);
      ChannelHandle h = new ChannelHandle(this, channelId, spaceId);
      event(l -> l.onChannelCreated(h));
      return h;
    });
  }

  CompletableFuture<Void> renameChannel(Id channelId, String newName) {
    checkName(newName);
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      SpaceEntry ss = spaceState(gc.spaceId());
      SpaceOp.Body body = new SpaceOp.RenameChannel(ChannelId.of(channelId.toBytes()), newName);
      if (!ss.meta.permits(self, body)) {
        throw new IllegalStateException("this node's role may not rename channels");
      }
      publish(ss, body);
      applyNames(ss);
      return null;
    });
  }

  /** Brings local channel names in line with the space metadata, reporting each rename. */
  private void applyNames(SpaceEntry ss) throws StorageException {
    Map<ChannelId, io.spacepanda.internal.space.ChannelInfo> named = ss.meta.view().channels();
    for (GroupChannel gc : List.copyOf(groups.values())) {
      if (gc.isControl() || !gc.spaceId().equals(ss.record.spaceId())) {
        continue;
      }
      io.spacepanda.internal.space.ChannelInfo ci = named.get(ChannelId.of(gc.id().toBytes()));
      if (ci != null && !ci.name().equals(gc.name())) {
        String old = gc.name();
        gc.rename(ci.name());
        tx(t -> t.putChannel(new ChannelRecord(gc.id(), gc.spaceId(), gc.name(), gc.kind(),
            peerKey(gc.owner()), gc.createdAt())));
        ChannelHandle h = new ChannelHandle(this, gc.id(), gc.spaceId());
        event(l -> l.onChannelRenamed(h, old));
      }
    }
  }

  CompletableFuture<String> createInvite(Id spaceId) {
    return async(() -> {
      requireStarted();
      SpaceEntry ss = spaceState(spaceId);
      if (!ss.control.owner().equals(self)) {
        throw new IllegalStateException("only the space owner " + ss.control.owner() + " can invite");
      }
      Instant expires = now().plus(INVITE_LIFETIME);
      InviteCode code = InviteCode.issue(SpaceId.of(spaceId.toBytes()), inviteContact(), expires,
          config.random());
      tx(t -> t.putInvite(new Invite(Id.of(code.secretHash()), code.expiresAt(), false)));
      return code.toText();
    });
  }

  @Override
  public CompletableFuture<Space> join(String inviteCode) {
    Objects.requireNonNull(inviteCode, "inviteCode");
    InviteCode code = InviteCode.parse(inviteCode);
    PeerId inviter = code.inviter().peer();
    CompletableFuture<Space> result = new CompletableFuture<>();
    CompletableFuture<Void> queued = async(() -> {
      requireStarted();
      if (spaces.containsKey(Id.of(code.spaceId().bytes()))) {
        throw new IllegalStateException("this node is already a member of the space");
      }
      KeyPackageBundle kpControl = keyPackage();
      KeyPackageBundle kpChannel = keyPackage();
      JoinRequest req = JoinRequest.forInvite(code, myContact(),
          MlsMessage.of(kpControl.keyPackage()).toBytes(),
          List.of(MlsMessage.of(kpChannel.keyPackage()).toBytes()));
      byte[] env = DirectEnvelope.seal(code.inviter().inboxKey(),
          new NodeWire.Join(NodeWire.JOIN_REQUEST, req.encode()).toBytes(), padding);
      learnAddresses(inviter, code.inviter().addresses());
      joins.put(code.spaceId().toString(), new PendingJoin(result, kpControl, kpChannel, code));
      List<OutboxEntry> out = new ArrayList<>();
      tx(t -> out.add(enqueue(t, env, inviter)));
      dispatch(out);
      return null;
    });
    queued.whenComplete((v, e) -> {
      if (e != null) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  CompletableFuture<Void> removeFromSpace(Id spaceId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return async(() -> {
      requireStarted();
      SpaceEntry ss = spaceState(spaceId);
      if (member.equals(self)) {
        throw new IllegalArgumentException("use leave() to leave a space");
      }
      Optional<SpaceOp.MemberRemoved> removal = ss.meta.removalOf(member);
      if (removal.isPresent() && ss.meta.permits(self, removal.get())) {
        publish(ss, removal.get());
      }
      removeMember(ss.control, member);
      for (GroupChannel gc : List.copyOf(groups.values())) {
        if (!gc.isControl() && gc.spaceId().equals(spaceId) && gc.owner().equals(self)
            && gc.leafOf(member) >= 0) {
          removeMember(gc, member);
        }
      }
      return null;
    });
  }

  CompletableFuture<Void> leaveSpace(Id spaceId) {
    return async(() -> {
      requireStarted();
      SpaceEntry ss = spaceState(spaceId);
      if (ss.control.owner().equals(self)) {
        throw new IllegalStateException("the owner cannot leave its space yet");
      }
      Optional<SpaceOp.MemberLeft> departure = ss.meta.departureOf(self);
      if (departure.isPresent()) {
        publish(ss, departure.get());
      }
      for (GroupChannel gc : List.copyOf(groups.values())) {
        if (gc.spaceId().equals(spaceId) && !gc.isControl() && !gc.owner().equals(self)) {
          proposeRemoval(gc, self);
        }
      }
      proposeRemoval(ss.control, self);
      return null;
    });
  }

  CompletableFuture<Void> addToChannel(Id channelId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      if (!gc.owner().equals(self)) {
        throw new IllegalStateException("only the channel owner " + gc.owner() + " can add");
      }
      SpaceEntry ss = spaceState(gc.spaceId());
      Contact mi = ss.contact(member);
      if (mi == null || !ss.control.members().contains(member)) {
        throw new IllegalStateException(member + " is not a member of the space");
      }
      if (gc.leafOf(member) >= 0) {
        return null;
      }
      sendDirect(member, mi.inboxKey(),
          new NodeWire.ChannelInvite(gc.spaceId().toBytes(), info(gc)));
      return null;
    });
  }

  CompletableFuture<Void> removeFromChannel(Id channelId, PeerId member) {
    Objects.requireNonNull(member, "member");
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      if (member.equals(self)) {
        throw new IllegalArgumentException("use leave() to leave a channel");
      }
      removeMember(gc, member);
      return null;
    });
  }

  CompletableFuture<Void> rotateKeys(Id channelId) {
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      if (gc.owner().equals(self)) {
        commitAndBroadcast(gc, CommitOptions.builder().forcePath(true).build(), null, null, null);
      } else {
        propose(gc, gc.group().proposeUpdate());
      }
      return null;
    });
  }

  CompletableFuture<Void> leaveChannel(Id channelId) {
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      if (gc.owner().equals(self)) {
        throw new IllegalStateException("the owner cannot leave its channel yet");
      }
      proposeRemoval(gc, self);
      return null;
    });
  }

  private void removeMember(GroupChannel gc, PeerId member) throws SpacePandaException {
    int leaf = gc.leafOf(member);
    if (leaf < 0) {
      throw new IllegalStateException(member + " is not a member of " + gc.name());
    }
    if (gc.owner().equals(self)) {
      commitAndBroadcast(gc, CommitOptions.builder().remove(leaf).build(), null, null, null);
    } else {
      proposeRemoval(gc, member);
    }
  }

  // =============================================================================================
  // Sending

  CompletableFuture<Message> send(Id channelId, byte[] body, int contentType) {
    Objects.requireNonNull(body, "body");
    if (contentType < 0) {
      throw new IllegalArgumentException("contentType must not be negative: " + contentType);
    }
    if (body.length > InnerPayload.MAX_BODY_LENGTH) {
      throw new IllegalArgumentException(
          "body longer than " + InnerPayload.MAX_BODY_LENGTH + " bytes: " + body.length);
    }
    byte[] copy = body.clone();
    return async(() -> {
      requireStarted();
      GroupChannel gc = channelState(channelId);
      if (gc.isControl()) {
        throw new IllegalStateException("cannot send to a control group");
      }
      long[] ls = gc.nextSend();
      InnerPayload payload = new InnerPayload(contentType, ls[0], ls[1], copy);
      byte[] mlsBytes = gc.group().protect(payload.toBytes(), new byte[0]).toBytes();
      MessageId id = MessageId.of(sha256(mlsBytes));
      byte[] env = GroupEnvelope.seal(gc.currentKeys(), mlsBytes, padding, config.random());
      Set<PeerId> recipients = others(gc);
      StoredMessage sm = new StoredMessage(Id.of(id.toBytes()), gc.id(), peerKey(self), ls[0],
          ls[1], contentType, copy, now(), recipients.isEmpty() ? DeliveryState.DELIVERED
              : DeliveryState.QUEUED);
      List<OutboxEntry> out = new ArrayList<>();
      tx(t -> {
        t.insertMessage(sm);
        saveRatchet(t, gc);
        for (PeerId r : recipients) {
          out.add(enqueue(t, Id.of(id.toBytes()), env, r));
        }
      });
      seen.put(id, Boolean.TRUE);
      if (!recipients.isEmpty()) {
        deliveries.put(Id.of(id.toBytes()), new Delivery(id, recipients.size()));
      }
      dispatch(out);
      return view(gc, sm);
    });
  }

  /** Authors a space operation, applies and stores it, and sends it to the control group. */
  private SpaceOp publish(SpaceEntry ss, SpaceOp.Body body) throws SpacePandaException {
    SpaceOp op = ss.meta.newOp(self, body);
    ss.meta.apply(op);
    tx(t -> t.appendSpaceOperation(stored(op)));
    GroupChannel control = ss.control;
    long[] ls = control.nextSend();
    InnerPayload payload = new InnerPayload(0, ls[0], ls[1], op.encode());
    byte[] mlsBytes = control.group().protect(payload.toBytes(), new byte[0]).toBytes();
    seen.put(MessageId.of(sha256(mlsBytes)), Boolean.TRUE);
    broadcastGroup(control, control.currentKeys(), mlsBytes, others(control));
    return op;
  }

  /**
   * Proposes a member's removal to the owner and remembers it, so that it is proposed again after
   * an epoch change that did not remove the member (the owner drops proposals of past epochs).
   */
  private void proposeRemoval(GroupChannel gc, PeerId member) throws SpacePandaException {
    wantedRemovals.computeIfAbsent(gc.id(), k -> new HashSet<>()).add(member);
    propose(gc, gc.group().proposeRemove(gc.leafOf(member)));
  }

  private void proposeRemovalsAgain(GroupChannel gc) throws SpacePandaException {
    Set<PeerId> wanted = wantedRemovals.get(gc.id());
    if (wanted == null) {
      return;
    }
    for (PeerId p : List.copyOf(wanted)) {
      if (gc.leafOf(p) < 0) {
        wanted.remove(p);
      } else if (!gc.owner().equals(self)) {
        propose(gc, gc.group().proposeRemove(gc.leafOf(p)));
      }
    }
    if (wanted.isEmpty()) {
      wantedRemovals.remove(gc.id());
    }
  }

  private void propose(GroupChannel gc, MlsMessage proposal) throws SpacePandaException {
    byte[] bytes = proposal.toBytes();
    seen.put(MessageId.of(sha256(bytes)), Boolean.TRUE);
    broadcastGroup(gc, gc.currentKeys(), bytes, others(gc));
  }

  private void broadcastGroup(GroupChannel gc, GroupEnvelopeKeys keys, byte[] mlsBytes,
      Set<PeerId> recipients) throws SpacePandaException {
    byte[] env = GroupEnvelope.seal(keys, mlsBytes, padding, config.random());
    List<OutboxEntry> out = new ArrayList<>();
    tx(t -> {
      saveGroup(t, gc);
      for (PeerId r : recipients) {
        out.add(enqueue(t, env, r));
      }
    });
    dispatch(out);
  }

  private void sendDirect(PeerId to, byte[] inboxKey, NodeWire.Msg msg) throws SpacePandaException {
    List<byte[]> envs = sealDirect(inboxKey, msg);
    List<OutboxEntry> out = new ArrayList<>();
    tx(t -> {
      for (byte[] env : envs) {
        out.add(enqueue(t, env, to));
      }
    });
    dispatch(out);
  }

  /**
   * Seals a node message in one direct envelope, or, when it does not fit the largest padding
   * bucket (a Welcome or join answer of a large group), in one envelope per {@link
   * NodeWire.Fragment}, halving the chunk until each fragment fits.
   */
  private List<byte[]> sealDirect(byte[] inboxKey, NodeWire.Msg msg) throws SpacePandaException {
    byte[] bytes = msg.toBytes();
    EnvelopeTooLargeException tooLarge;
    try {
      return List.of(DirectEnvelope.seal(inboxKey, bytes, padding));
    } catch (EnvelopeTooLargeException e) {
      tooLarge = e;
    }
    for (int chunk = FRAGMENT_CHUNK; chunk >= MIN_FRAGMENT_CHUNK; chunk /= 2) {
      int count = (bytes.length + chunk - 1) / chunk;
      if (count > NodeWire.MAX_FRAGMENTS) {
        break;
      }
      byte[] id = new byte[NodeWire.FRAGMENT_ID_LENGTH];
      config.random().nextBytes(id);
      List<byte[]> envs = new ArrayList<>(count);
      try {
        for (int i = 0; i < count; i++) {
          byte[] part = Arrays.copyOfRange(bytes, i * chunk, Math.min(bytes.length,
              (i + 1) * chunk));
          envs.add(DirectEnvelope.seal(inboxKey,
              new NodeWire.Fragment(id, i, count, part).toBytes(), padding));
        }
        return envs;
      } catch (EnvelopeTooLargeException e) {
        tooLarge = e;
      }
    }
    throw tooLarge;
  }

  /** The fragments of one node message received so far. */
  private static final class Reassembly {
    final byte[][] chunks;
    int received;

    Reassembly(int count) {
      chunks = new byte[count][];
    }
  }

  /**
   * Keeps a fragment and, once every fragment of its message is here, handles the whole message;
   * at most {@link #MAX_REASSEMBLIES} messages are kept partly received, the oldest dropped first.
   */
  private void onFragment(NodeWire.Fragment f) throws SpacePandaException {
    String key = java.util.HexFormat.of().formatHex(f.messageId());
    Reassembly r = reassemblies.get(key);
    if (r == null) {
      if (reassemblies.size() >= MAX_REASSEMBLIES) {
        Iterator<String> oldest = reassemblies.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      r = new Reassembly(f.count());
      reassemblies.put(key, r);
    }
    if (r.chunks.length != f.count()) {
      drop("fragment count differs");
      return;
    }
    if (r.chunks[f.index()] != null) {
      drop("duplicate fragment");
      return;
    }
    r.chunks[f.index()] = f.chunk();
    r.received++;
    if (r.received < r.chunks.length) {
      return;
    }
    reassemblies.remove(key);
    java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
    for (byte[] c : r.chunks) {
      whole.writeBytes(c);
    }
    NodeWire.Msg msg = NodeWire.decode(whole.toByteArray());
    if (msg instanceof NodeWire.Fragment) {
      drop("nested fragment");
      return;
    }
    handleDirect(msg);
  }

  /**
   * Commits as the single committer, adopts the new epoch and queues the commit (sealed with the
   * old epoch's keys) to every member of the old epoch and the Welcome to the added member.
   */
  private void commitAndBroadcast(GroupChannel gc, CommitOptions options, PeerId joiner,
      byte[] joinerInboxKey, java.util.function.Function<byte[], NodeWire.Msg> welcomeWrapper)
      throws SpacePandaException {
    Set<PeerId> oldMembers = others(gc);
    GroupEnvelopeKeys oldKeys = gc.currentKeys();
    CommitResult result = gc.group().commit(options);
    ProcessedMessage.CommitApplied applied = gc.group().mergePendingCommit();
    byte[] commitBytes = result.commit().toBytes();
    seen.put(MessageId.of(sha256(commitBytes)), Boolean.TRUE);
    byte[] env = GroupEnvelope.seal(oldKeys, commitBytes, padding, config.random());
    List<OutboxEntry> out = new ArrayList<>();
    List<byte[]> welcomeEnvs = List.of();
    if (joiner != null && result.welcomeOrNull() != null) {
      NodeWire.Msg w = welcomeWrapper.apply(MlsMessage.of(result.welcomeOrNull()).toBytes());
      welcomeEnvs = w == null ? List.of() : sealDirect(joinerInboxKey, w);
    }
    List<byte[]> we = welcomeEnvs;
    tx(t -> {
      saveGroup(t, gc);
      for (PeerId r : oldMembers) {
        out.add(enqueue(t, env, r));
      }
      for (byte[] w : we) {
        out.add(enqueue(t, w, joiner));
      }
    });
    dispatch(out);
    afterEpochChange(gc, applied);
  }

  private OutboxEntry enqueue(StorageTransaction t, byte[] env, PeerId to) throws StorageException {
    return enqueue(t, Id.of(sha256(env)), env, to);
  }

  private OutboxEntry enqueue(StorageTransaction t, Id envelopeId, byte[] env, PeerId to)
      throws StorageException {
    OutboxEntry e = new OutboxEntry(envelopeId, peerKey(to), env, now(), 0);
    t.enqueueOutbox(e);
    return e;
  }

  /** Schedules one jittered copy per outbox entry; call after the transaction committed. */
  private void dispatch(List<OutboxEntry> entries) {
    for (OutboxEntry e : entries) {
      jitter.scheduleCopy(() -> sendCopy(e));
    }
  }

  private void sendCopy(OutboxEntry e) {
    Transport t = locked(() -> state == State.STARTED ? transport : null);
    if (t == null) {
      return;
    }
    PeerId to = PeerId.fromBytes(e.recipient().toBytes());
    CompletableFuture<Void> f;
    try {
      f = t.send(to, e.payload());
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    f.whenComplete((v, err) -> locked(() -> {
      onCopyResult(e, to, err);
      return null;
    }));
  }

  private void onCopyResult(OutboxEntry e, PeerId to, Throwable err) {
    if (state != State.STARTED) {
      return;
    }
    Delivery d = deliveries.get(e.envelopeId());
    try {
      if (err == null) {
        tx(t -> {
          t.ackOutbox(e.envelopeId(), e.recipient());
          if (d != null && d.acknowledged.size() + 1 == d.recipients) {
            t.updateDeliveryState(e.envelopeId(), DeliveryState.DELIVERED);
          } else if (d != null && d.acknowledged.isEmpty()) {
            t.updateDeliveryState(e.envelopeId(), DeliveryState.SENT);
          }
        });
        if (d != null && d.acknowledged.add(to)) {
          int n = d.acknowledged.size();
          event(l -> l.onDeliveryProgress(d.message, n, d.recipients));
          if (n == d.recipients) {
            deliveries.remove(e.envelopeId());
          }
        }
      } else {
        int attempts = e.attempts() + 1;
        if (attempts >= MAX_ATTEMPTS) {
          tx(t -> {
            t.ackOutbox(e.envelopeId(), e.recipient());
            if (d != null) {
              t.updateDeliveryState(e.envelopeId(), DeliveryState.FAILED);
            }
          });
          LOG.info("gave up delivering an envelope after {} attempts", attempts);
          if (d != null) {
            Throwable cause = err;
            event(l -> l.onDeliveryFailed(d.message, to, cause));
          }
          return;
        }
        Duration backoff = backoff(attempts);
        Instant next = now().plus(backoff);
        tx(t -> t.rescheduleOutbox(e.envelopeId(), e.recipient(), next));
        OutboxEntry again = new OutboxEntry(e.envelopeId(), e.recipient(), e.payload(), next,
            attempts);
        scheduler.schedule(backoff, () -> sendCopy(again));
        if (d != null) {
          Throwable cause = err;
          event(l -> l.onDeliveryFailed(d.message, to, cause));
        }
      }
    } catch (StorageException ex) {
      LOG.warn("recording a delivery failed: {}", ex.getMessage());
    }
  }

  private static Duration backoff(int attempts) {
    long seconds = 1L << Math.min(attempts, 16);
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  private void resendOutbox() throws StorageException {
    if (state != State.STARTED) {
      return;
    }
    List<OutboxEntry> all = new ArrayList<>();
    tx(t -> all.addAll(t.dueOutbox(now().plus(Duration.ofDays(3650)), Integer.MAX_VALUE)));
    for (OutboxEntry e : all) {
      Duration wait = Duration.between(now(), e.nextAttemptAt());
      scheduler.schedule(wait.isNegative() ? Duration.ZERO : wait, () -> sendCopy(e));
    }
  }

  // =============================================================================================
  // History

  CompletableFuture<List<Message>> history(Id channelId, int limit, Message before) {
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
    }
    return async(() -> {
      requireStarted();
      HistoryCursor cursor = before == null ? null : new HistoryCursor(before.lamport(),
          peerKey(before.sender()), before.senderSequence());
      List<StoredMessage> rows = new ArrayList<>();
      tx(t -> rows.addAll(t.history(channelId, cursor, limit)));
      List<Message> out = new ArrayList<>(rows.size());
      for (StoredMessage m : rows) {
        out.add(view(channelId, m));
      }
      return List.copyOf(out);
    });
  }

  private Message view(GroupChannel gc, StoredMessage m) {
    return view(gc.id(), m);
  }

  private static Message view(Id channelId, StoredMessage m) {
    return new Message(MessageId.of(m.messageId().toBytes()), channelId.toString(),
        PeerId.fromBytes(m.senderPeerId().toBytes()), m.lamport(), m.senderSequence(),
        m.contentType(), m.body(), m.receivedAt(), m.deliveryState());
  }

  // =============================================================================================
  // Receiving

  private final class InboundListener implements TransportListener {
    @Override
    public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
      try {
        locked(() -> {
          if (state == State.STARTED) {
            receive(envelope, false);
          }
          return null;
        });
        return CompletableFuture.completedFuture(null);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public void onPeerConnected(PeerId peer) {
      locked(() -> {
        event(l -> l.onPeerConnected(peer));
        return null;
      });
    }

    @Override
    public void onPeerLost(PeerId peer) {
      locked(() -> {
        event(l -> l.onPeerLost(peer));
        return null;
      });
    }
  }

  /** What became of an inbound envelope. */
  private enum Outcome { DONE, HELD, DROPPED }

  private Outcome receive(byte[] envelope, boolean fromPending) {
    MessageId dedupId = null;
    try {
      SealedEnvelope.Kind kind = SealedEnvelope.kindOf(envelope);
      if (kind == SealedEnvelope.Kind.DIRECT) {
        // A retried or duplicated copy has the same bytes; handle each direct envelope once.
        MessageId id = MessageId.of(sha256(envelope));
        if (seen.getIfPresent(id) != null) {
          return drop("duplicate");
        }
        byte[] payload = DirectEnvelope.open(inbox, envelope);
        dedupId = id;
        seen.put(id, Boolean.TRUE);
        handleDirect(NodeWire.decode(payload));
        return Outcome.DONE;
      }
      Optional<TagIndex.Opened<EpochLabel>> opened = tags.tryOpen(envelope);
      if (opened.isEmpty()) {
        if (!fromPending) {
          hold(envelope);
        }
        return Outcome.HELD;
      }
      GroupChannel gc = groups.get(opened.get().label().group());
      if (gc == null) {
        return drop("group gone");
      }
      dedupId = MessageId.of(sha256(opened.get().plaintext()));
      return handleGroup(gc, opened.get().plaintext(), envelope, fromPending);
    } catch (EnvelopeException | MlsException e) {
      return drop(e.getClass().getSimpleName());
    } catch (StorageException e) {
      // Nothing of this envelope was stored, but the in-memory state may have moved on (keys
      // used, an epoch merged, the envelope marked as seen): go back to what storage holds, so
      // that the copy the sender retries is handled like the first one.
      if (dedupId != null) {
        seen.invalidate(dedupId);
      }
      rollBackToStorage();
      throw new StorageFailure(e);
    } catch (SpacePandaException | IllegalArgumentException e) {
      return drop(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (StorageFailure e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("an inbound envelope caused an unexpected error; dropped", e);
      return drop(e.getClass().getSimpleName());
    }
  }

  /**
   * Replaces the in-memory spaces, groups and envelope keys with what storage holds, after a
   * transaction failed; if storage cannot be read either, the in-memory state is kept.
   */
  private void rollBackToStorage() {
    Map<Id, SpaceEntry> oldSpaces = new HashMap<>(spaces);
    List<GroupChannel> oldGroups = new ArrayList<>(groups.values());
    oldGroups.forEach(this::unregister);
    spaces.clear();
    try {
      loadState();
    } catch (StorageException | MlsException | RuntimeException e) {
      LOG.warn("could not reload the node's state after a storage failure; keeping it in memory", e);
      new ArrayList<>(groups.values()).forEach(this::unregister);
      spaces.clear();
      spaces.putAll(oldSpaces);
      oldGroups.forEach(this::register);
    }
  }

  /** A storage failure while receiving: the envelope is not acknowledged, so it comes again. */
  private static final class StorageFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StorageFailure(StorageException cause) {
      super("storage failed while receiving", cause);
    }
  }

  private Outcome drop(String why) {
    dropped.incrementAndGet();
    LOG.debug("dropped an envelope: {}", why);
    return Outcome.DROPPED;
  }

  private void hold(byte[] envelope) throws StorageException {
    Instant now = now();
    tx(t -> {
      t.addPendingEnvelope(new PendingEnvelope(Id.of(sha256(envelope)), envelope, now));
      t.prunePendingEnvelopes(MAX_PENDING_ENVELOPES, now.minus(PENDING_ENVELOPE_AGE));
    });
  }

  /** Tries every kept envelope again until none opens any more; after an epoch change. */
  private void retryPending() throws StorageException {
    if (retrying || state != State.STARTED) {
      return;
    }
    retrying = true;
    try {
      boolean progress = true;
      while (progress) {
        progress = false;
        List<PendingEnvelope> kept = new ArrayList<>();
        tx(t -> kept.addAll(t.pendingEnvelopes()));
        for (PendingEnvelope p : kept) {
          Outcome o = receive(p.envelope(), true);
          if (o != Outcome.HELD) {
            tx(t -> t.deletePendingEnvelope(p.envelopeId()));
            progress = true;
          }
        }
      }
    } finally {
      retrying = false;
    }
  }

  private Outcome handleGroup(GroupChannel gc, byte[] plaintext, byte[] envelope,
      boolean fromPending) throws SpacePandaException {
    MlsMessage m = TlsReader.decodeExactly(plaintext, MlsMessage::decode);
    if (m.wireFormat() != WireFormat.PRIVATE_MESSAGE && m.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      return drop("not a group message");
    }
    MessageId id = MessageId.of(sha256(plaintext));
    if (seen.getIfPresent(id) != null) {
      return drop("duplicate");
    }
    ProcessedMessage p;
    try {
      p = gc.group().process(m);
    } catch (MlsWrongEpochException e) {
      if (Group.epochOf(m) > gc.group().epoch()) {
        if (!fromPending) {
          hold(envelope);
        }
        return Outcome.HELD;
      }
      return drop("past epoch");
    }
    seen.put(id, Boolean.TRUE);
    if (p instanceof ProcessedMessage.ApplicationMessage a) {
      onApplication(gc, id, a);
    } else if (p instanceof ProcessedMessage.CommitApplied c) {
      tx(t -> saveGroup(t, gc));
      afterEpochChange(gc, c);
    } else if (p instanceof ProcessedMessage.ProposalQueued q) {
      tx(t -> saveGroup(t, gc));
      if (q.proposal() instanceof Proposal.Remove r && q.sender().index() == r.removed()) {
        for (Member mem : gc.group().members()) {
          if (mem.leafIndex() == r.removed()) {
            leaving.add(GroupChannel.peerOf(mem));
          }
        }
      }
      if (gc.owner().equals(self)) {
        commitAndBroadcast(gc, CommitOptions.builder().includePendingProposals(true).build(),
            null, null, null);
      }
    }
    return Outcome.DONE;
  }

  private void onApplication(GroupChannel gc, MessageId id, ProcessedMessage.ApplicationMessage a)
      throws SpacePandaException {
    PeerId sender = PeerId.fromBytes(a.credential().identity());
    InnerPayload payload;
    try {
      payload = InnerPayload.decode(a.data());
    } catch (MlsException e) {
      tx(t -> saveRatchet(t, gc));
      throw e;
    }
    gc.observeLamport(payload.lamport());
    if (gc.isControl()) {
      tx(t -> saveGroup(t, gc));
      onControlOp(spaces.get(gc.spaceId()), sender, payload.body());
      return;
    }
    StoredMessage sm = new StoredMessage(Id.of(id.toBytes()), gc.id(), peerKey(sender),
        payload.lamport(), payload.senderSequence(), payload.contentType(), payload.body(), now(),
        DeliveryState.RECEIVED);
    boolean[] fresh = new boolean[1];
    tx(t -> {
      fresh[0] = t.insertMessage(sm);
      saveRatchet(t, gc);
    });
    if (fresh[0]) {
      Message msg = view(gc, sm);
      ChannelHandle h = new ChannelHandle(this, gc.id(), gc.spaceId());
      event(l -> l.onMessage(h, msg));
    }
  }

  private void afterEpochChange(GroupChannel gc, ProcessedMessage.CommitApplied c)
      throws SpacePandaException {
    ChannelHandle h = new ChannelHandle(this, gc.id(), gc.spaceId());
    if (c.selfRemoved()) {
      wantedRemovals.remove(gc.id());
      unregister(gc);
      tx(t -> {
        t.deleteGroupState(gc.id());
        t.deleteGroupState(suffixed(gc.id(), RATCHET_SUFFIX));
        t.deleteGroupState(suffixed(gc.id(), ENVELOPE_KEYS_SUFFIX));
      });
      if (!gc.isControl()) {
        event(l -> l.onMemberRemoved(h, self));
      } else {
        spaces.remove(gc.spaceId());
      }
      return;
    }
    register(gc);
    proposeRemovalsAgain(gc);
    if (!gc.isControl()) {
      for (Member m : c.added()) {
        PeerId p = GroupChannel.peerOf(m);
        event(l -> l.onMemberJoined(h, p));
      }
      for (Member m : c.removed()) {
        PeerId p = GroupChannel.peerOf(m);
        if (leaving.remove(p)) {
          event(l -> l.onMemberLeft(h, p));
        } else {
          event(l -> l.onMemberRemoved(h, p));
        }
      }
    } else {
      for (Member m : c.removed()) {
        PeerId p = GroupChannel.peerOf(m);
        leaving.remove(p);
        for (GroupChannel other : List.copyOf(groups.values())) {
          if (!other.isControl() && other.spaceId().equals(gc.spaceId())
              && other.owner().equals(self) && other.leafOf(p) >= 0) {
            commitAndBroadcast(other, CommitOptions.builder().remove(other.leafOf(p)).build(),
                null, null, null);
          }
        }
      }
      retryHeldRequests();
    }
    retryPending();
  }

  // ---- direct messages

  private void handleDirect(NodeWire.Msg msg) throws SpacePandaException {
    if (msg instanceof NodeWire.Join j && j.kind() == NodeWire.JOIN_REQUEST) {
      onJoinRequest(JoinRequest.decode(j.body()));
    } else if (msg instanceof NodeWire.Join j) {
      onJoinResponse(JoinResponse.decode(j.body()));
    } else if (msg instanceof NodeWire.ChannelJoinRequest r) {
      onChannelJoinRequest(r, true);
    } else if (msg instanceof NodeWire.ChannelWelcome w) {
      onChannelWelcome(w);
    } else if (msg instanceof NodeWire.Fragment f) {
      onFragment(f);
    } else if (msg instanceof NodeWire.ChannelInvite i) {
      SpaceEntry ss = spaces.get(Id.of(i.spaceId()));
      Id cid = Id.of(i.channel().channelId());
      if (ss == null || groups.containsKey(cid)) {
        drop("unexpected channel invite");
        return;
      }
      requestChannel(ss, i.channel());
    } else {
      drop("unexpected direct message");
    }
  }

  private void onJoinRequest(JoinRequest r) throws SpacePandaException {
    SpaceEntry ss = spaces.get(Id.of(r.spaceId().bytes()));
    PeerId joiner = r.joiner().peer();
    if (ss == null || !ss.control.owner().equals(self)) {
      refuse(r, JoinResponse.Refusal.UNKNOWN);
      return;
    }
    if (r.channelKeyPackages().isEmpty()) {
      drop("join request without a channel KeyPackage");
      return;
    }
    KeyPackage kpControl = keyPackageOf(r.spaceKeyPackage(), joiner);
    KeyPackage kpChannel = keyPackageOf(r.channelKeyPackages().get(0), joiner);
    InviteRedemption[] outcome = new InviteRedemption[1];
    Instant now = now();
    tx(t -> outcome[0] = t.redeemInvite(Id.of(r.secretHash()), now));
    switch (outcome[0]) {
      case REDEEMED:
        break;
      case EXPIRED:
        refuse(r, JoinResponse.Refusal.EXPIRED);
        return;
      case ALREADY_USED:
        refuse(r, JoinResponse.Refusal.ALREADY_USED);
        return;
      default:
        refuse(r, JoinResponse.Refusal.UNKNOWN);
        return;
    }
    if (ss.control.leafOf(joiner) >= 0) {
      refuse(r, JoinResponse.Refusal.ALREADY_USED);
      return;
    }
    learnAddresses(joiner, r.joiner().addresses());
    GroupChannel general = defaultChannel(ss);
    byte[][] welcomes = new byte[2][];
    byte[] inboxKey = r.joiner().inboxKey();
    commitAndBroadcast(ss.control, CommitOptions.builder().add(kpControl)
        .ratchetTreeInWelcome(true).build(), joiner, inboxKey, w -> {
          welcomes[0] = w;
          return null;
        });
    commitAndBroadcast(general, CommitOptions.builder().add(kpChannel)
        .ratchetTreeInWelcome(true).build(), joiner, inboxKey, w -> {
          welcomes[1] = w;
          return null;
        });
    publish(ss, new SpaceOp.MemberJoined(r.joiner()));
    JoinResponse accepted = JoinResponse.accepted(r.spaceId(), self, welcomes[0],
        List.of(new JoinResponse.ChannelWelcome(ChannelId.of(general.id().toBytes()), welcomes[1])),
        ss.meta.log(), List.copyOf(ss.meta.view().contacts().values()));
    sendDirect(joiner, inboxKey, new NodeWire.Join(NodeWire.JOIN_RESPONSE, accepted.encode()));
  }

  private void refuse(JoinRequest r, JoinResponse.Refusal reason) throws SpacePandaException {
    LOG.info("refusing a join request: {}", reason);
    sendDirect(r.joiner().peer(), r.joiner().inboxKey(), new NodeWire.Join(NodeWire.JOIN_RESPONSE,
        JoinResponse.refused(r.spaceId(), reason).encode()));
  }

  private void onJoinResponse(JoinResponse a) throws SpacePandaException {
    PendingJoin pj = joins.get(a.spaceId().toString());
    if (pj == null) {
      drop("unexpected join answer");
      return;
    }
    if (a.refusal().isPresent()) {
      joins.remove(a.spaceId().toString());
      InviteRefusedException.Reason reason = switch (a.refusal().get()) {
        case EXPIRED -> InviteRefusedException.Reason.EXPIRED;
        case ALREADY_USED -> InviteRefusedException.Reason.ALREADY_USED;
        default -> InviteRefusedException.Reason.UNKNOWN;
      };
      afterUnlock.add(() -> pj.future().completeExceptionally(new InviteRefusedException(reason)));
      return;
    }
    if (a.channelWelcomes().isEmpty()) {
      drop("join answer without a channel");
      return;
    }
    Id spaceId = Id.of(a.spaceId().bytes());
    PeerId owner = a.owner();
    JoinResponse.ChannelWelcome cw = a.channelWelcomes().get(0);
    Group control = joinGroup(a.spaceWelcome(), pj.control());
    Group general = joinGroup(cw.welcome(), pj.channel());
    if (!Arrays.equals(control.groupId(), spaceId.toBytes())
        || !Arrays.equals(general.groupId(), cw.channelId().bytes())) {
      drop("join answer for other groups");
      return;
    }
    joins.remove(a.spaceId().toString());
    SpaceState meta = a.toState();
    io.spacepanda.internal.space.ChannelInfo generalInfo = meta.view().channels().get(cw.channelId());
    String spaceName = meta.view().name().orElse("");
    Instant now = now();
    SpaceEntry ss = new SpaceEntry();
    ss.meta = meta;
    ss.record = new SpaceRecord(spaceId, spaceName, peerKey(owner), now);
    ss.control = new GroupChannel(spaceId, spaceId, spaceName, GroupChannel.KIND_CONTROL,
        owner, now, control, 0, 0);
    GroupChannel gen = new GroupChannel(Id.of(cw.channelId().bytes()), spaceId,
        generalInfo == null ? DEFAULT_CHANNEL : generalInfo.name(), GroupChannel.KIND_TEXT,
        generalInfo == null ? owner : generalInfo.creator(), now, general, 0, 0);
    tx(t -> {
      t.putSpace(ss.record);
      saveChannel(t, ss.control);
      saveChannel(t, gen);
      for (SpaceOp op : ss.meta.log()) {
        t.appendSpaceOperation(stored(op));
      }
    });
    spaces.put(spaceId, ss);
    register(ss.control);
    register(gen);
    for (Contact c : a.members()) {
      learnAddresses(c.peer(), c.addresses());
    }
    for (io.spacepanda.internal.space.ChannelInfo ci : ss.meta.view().channels().values()) {
      requestChannel(ss, new NodeWire.ChannelInfo(ci.channelId().bytes(), ci.name(),
          ci.creator().bytes()));
    }
    SpaceHandle sh = new SpaceHandle(this, spaceId);
    ChannelHandle ch = new ChannelHandle(this, gen.id(), spaceId);
    event(l -> l.onSpaceJoined(sh));
    event(l -> l.onChannelCreated(ch));
    afterUnlock.add(() -> pj.future().complete(sh));
    retryPending();
  }

  private void requestChannel(SpaceEntry ss, NodeWire.ChannelInfo ci) throws SpacePandaException {
    PeerId owner = PeerId.fromBytes(ci.owner());
    Id cid = Id.of(ci.channelId());
    if (owner.equals(self) || groups.containsKey(cid)) {
      return;
    }
    Contact ownerInfo = ss.contact(owner);
    if (ownerInfo == null) {
      LOG.debug("no inbox key for the owner of a channel");
      return;
    }
    KeyPackageBundle kp = keyPackage();
    channelJoins.put(cid, kp);
    tx(t -> t.putKeyPackage(Id.of(kp.keyPackage().ref(SUITE)), SecretBlob.copyOf(kp.toBytes())));
    sendDirect(owner, ownerInfo.inboxKey(), new NodeWire.ChannelJoinRequest(
        ss.record.spaceId().toBytes(), ci.channelId(), myInfo(),
        MlsMessage.of(kp.keyPackage()).toBytes()));
  }

  private void onChannelJoinRequest(NodeWire.ChannelJoinRequest r, boolean mayHold)
      throws SpacePandaException {
    GroupChannel gc = groups.get(Id.of(r.channelId()));
    SpaceEntry ss = spaces.get(Id.of(r.spaceId()));
    PeerId member = PeerId.fromBytes(r.member().peer());
    if (gc == null || ss == null || gc.isControl() || !gc.owner().equals(self)
        || !gc.spaceId().equals(ss.record.spaceId())) {
      drop("channel join request for an unknown channel");
      return;
    }
    if (gc.leafOf(member) >= 0) {
      return;
    }
    KeyPackage kp = keyPackageOf(r.keyPackage(), member);
    if (ss.control.leafOf(member) < 0) {
      if (mayHold && heldRequests.size() < MAX_HELD_REQUESTS) {
        heldRequests.add(r);
      } else {
        drop("channel join request from a non-member");
      }
      return;
    }
    NodeWire.ChannelInfo ci = info(gc);
    commitAndBroadcast(gc, CommitOptions.builder().add(kp).ratchetTreeInWelcome(true).build(),
        member, r.member().inboxKey(), w -> new NodeWire.ChannelWelcome(r.spaceId(), ci, w));
  }

  private void retryHeldRequests() throws SpacePandaException {
    int n = heldRequests.size();
    for (int i = 0; i < n; i++) {
      onChannelJoinRequest(heldRequests.poll(), false);
    }
  }

  private void onChannelWelcome(NodeWire.ChannelWelcome w) throws SpacePandaException {
    Id cid = Id.of(w.channel().channelId());
    SpaceEntry ss = spaces.get(Id.of(w.spaceId()));
    KeyPackageBundle kp = channelJoins.get(cid);
    if (kp == null && ss != null) {
      kp = storedKeyPackage(w.welcome());
    }
    if (ss == null || kp == null || groups.containsKey(cid)) {
      drop("unexpected channel welcome");
      return;
    }
    Group g = joinGroup(w.welcome(), kp);
    if (!Arrays.equals(g.groupId(), w.channel().channelId())) {
      drop("welcome for another group");
      return;
    }
    channelJoins.remove(cid);
    Id ref = Id.of(kp.keyPackage().ref(SUITE));
    tx(t -> t.deleteKeyPackage(ref));
    GroupChannel gc = new GroupChannel(cid, ss.record.spaceId(), w.channel().name(),
        GroupChannel.KIND_TEXT, PeerId.fromBytes(w.channel().owner()), now(), g, 0, 0);
    tx(t -> saveChannel(t, gc));
    register(gc);
    ChannelHandle h = new ChannelHandle(this, cid, gc.spaceId());
    event(l -> l.onChannelCreated(h));
    retryPending();
  }

  private void onControlOp(SpaceEntry ss, PeerId author, byte[] encoded)
      throws SpacePandaException {
    if (ss == null) {
      return;
    }
    SpaceOp op = SpaceOp.decode(encoded);
    if (!op.author().equals(author)) {
      drop("space operation whose author is not its sender");
      return;
    }
    if (ss.meta.apply(op) == SpaceState.Outcome.DUPLICATE) {
      return;
    }
    tx(t -> t.appendSpaceOperation(stored(op)));
    applyNames(ss);
    if (!ss.meta.isEffective(op.id())) {
      return;
    }
    if (op.body() instanceof SpaceOp.MemberJoined mj) {
      learnAddresses(mj.contact().peer(), mj.contact().addresses());
      retryHeldRequests();
    } else if (op.body() instanceof SpaceOp.UpdateContact uc) {
      learnAddresses(uc.contact().peer(), uc.contact().addresses());
    } else if (op.body() instanceof SpaceOp.CreateChannel cc) {
      requestChannel(ss, new NodeWire.ChannelInfo(cc.channelId().bytes(), cc.name(),
          author.bytes()));
    }
  }

  // =============================================================================================
  // Helpers

  private Group newGroup(Id groupId) {
    return Group.create(mls, SUITE, groupId.toBytes(), Credential.basic(self.bytes()),
        signatureKeys);
  }

  private KeyPackageBundle keyPackage() {
    return KeyPackageBundle.create(mls, SUITE, Credential.basic(self.bytes()), signatureKeys);
  }

  private Group joinGroup(byte[] welcomeBytes, KeyPackageBundle kp) throws MlsException {
    MlsMessage m = TlsReader.decodeExactly(welcomeBytes, MlsMessage::decode);
    Welcome w = m.welcome();
    if (w == null) {
      throw new io.spacepanda.internal.mls.MlsDecodeException("not a Welcome");
    }
    return Group.joinFromWelcome(mls, w, kp, null, id -> null);
  }

  /** Finds the private material of the stored KeyPackage a Welcome is for, or null. */
  private KeyPackageBundle storedKeyPackage(byte[] welcomeBytes) throws SpacePandaException {
    Welcome w = TlsReader.decodeExactly(welcomeBytes, MlsMessage::decode).welcome();
    if (w == null) {
      return null;
    }
    for (io.spacepanda.internal.mls.message.EncryptedGroupSecrets egs : w.secrets()) {
      List<SecretBlob> found = new ArrayList<>(1);
      tx(t -> t.keyPackage(Id.of(egs.newMember())).ifPresent(found::add));
      if (!found.isEmpty()) {
        return KeyPackageBundle.fromBytes(found.get(0).revealBytes());
      }
    }
    return null;
  }

  /** Decodes a KeyPackage and checks that it belongs to the claimed peer (credential and key). */
  private static KeyPackage keyPackageOf(byte[] bytes, PeerId claimed) throws MlsException {
    MlsMessage m = TlsReader.decodeExactly(bytes, MlsMessage::decode);
    KeyPackage kp = m.keyPackage();
    if (kp == null) {
      throw new io.spacepanda.internal.mls.MlsDecodeException("not a KeyPackage");
    }
    byte[] identity = kp.leafNode().credential().identity();
    PeerId fromKey = PeerId.fromPublicKey(kp.leafNode().signatureKey());
    if (identity == null || !Arrays.equals(identity, claimed.bytes()) || !fromKey.equals(claimed)) {
      throw new io.spacepanda.internal.mls.MlsDecodeException("KeyPackage of another peer");
    }
    return kp;
  }

  private GroupChannel defaultChannel(SpaceEntry ss) {
    GroupChannel best = null;
    for (GroupChannel gc : groups.values()) {
      if (!gc.isControl() && gc.spaceId().equals(ss.record.spaceId())
          && gc.owner().equals(ss.control.owner())
          && (best == null || gc.createdAt().isBefore(best.createdAt())
              || (gc.name().equals(DEFAULT_CHANNEL) && !best.name().equals(DEFAULT_CHANNEL)))) {
        best = gc;
      }
    }
    if (best == null) {
      throw new IllegalStateException("space has no default channel");
    }
    return best;
  }

  /**
   * Publishes this node's contact in every space whose record of it differs from the transport's
   * addresses now (a restart on another port), so that members can reach it again.
   */
  private void announceChangedContact() {
    if (state != State.STARTED || transport == null) {
      return;
    }
    Contact mine = myContact();
    for (SpaceEntry ss : List.copyOf(spaces.values())) {
      if (mine.equals(ss.meta.view().contacts().get(self)) || ss.control.leafOf(self) < 0) {
        continue;
      }
      try {
        publish(ss, new SpaceOp.UpdateContact(mine));
      } catch (SpacePandaException | RuntimeException e) {
        LOG.warn("could not announce this node's new addresses in a space: {}", e.getMessage());
      }
    }
  }

  private NodeWire.MemberInfo myInfo() {
    List<String> addrs = advertised(SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES);
    return new NodeWire.MemberInfo(self.bytes(), inbox.publicKey(), addrs);
  }

  private static NodeWire.ChannelInfo info(GroupChannel gc) {
    return new NodeWire.ChannelInfo(gc.id().toBytes(), gc.name(), gc.owner().bytes());
  }

  private Contact myContact() {
    return new Contact(self, inbox.publicKey(),
        advertised(SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES));
  }

  private Contact inviteContact() {
    return new Contact(self, inbox.publicKey(),
        advertised(SpaceConstants.MAX_INVITE_ADDRESSES, SpaceConstants.MAX_INVITE_ADDRESS_BYTES));
  }

  /** The transport's addresses that fit a contact: at most {@code max}, each within the bytes. */
  private List<String> advertised(int max, int maxBytes) {
    List<String> out = new ArrayList<>();
    List<String> all = transport == null ? List.of()
        : AdvertisedAddresses.expand(transport.listenAddresses());
    for (String a : all) {
      if (out.size() < max && a.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
        out.add(a);
      }
    }
    return List.copyOf(out);
  }

  private static Contact contactOf(NodeWire.MemberInfo mi) {
    List<String> addrs = mi.addresses();
    return new Contact(PeerId.fromBytes(mi.peer()), mi.inboxKey(),
        addrs.subList(0, Math.min(addrs.size(), SpaceConstants.MAX_ADDRESSES)));
  }

  private static SpaceOperation stored(SpaceOp op) {
    return new SpaceOperation(Id.of(op.id().bytes()), Id.of(op.spaceId().bytes()), op.lamport(),
        Id.of(op.author().bytes()), op.encode());
  }

  private void learnAddresses(PeerId peer, List<String> addresses) {
    if (transport == null || peer.equals(self)) {
      return;
    }
    for (String a : addresses) {
      try {
        transport.addPeerAddress(peer, a);
      } catch (IllegalArgumentException e) {
        LOG.debug("ignoring an address the transport does not take");
      }
    }
  }

  private Set<PeerId> others(GroupChannel gc) {
    Set<PeerId> s = new java.util.TreeSet<>(gc.members());
    s.remove(self);
    return s;
  }

  private void register(GroupChannel gc) {
    groups.put(gc.id(), gc);
    for (Long e : gc.refreshKeys(config.pastEpochRetention())) {
      tags.remove(new EpochLabel(gc.id(), e));
    }
    for (Map.Entry<Long, GroupEnvelopeKeys> k : gc.keys().entrySet()) {
      tags.put(new EpochLabel(gc.id(), k.getKey()), k.getValue());
    }
  }

  private void unregister(GroupChannel gc) {
    groups.remove(gc.id());
    for (Long e : gc.keys().keySet()) {
      tags.remove(new EpochLabel(gc.id(), e));
    }
  }

  private void saveChannel(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putChannel(new ChannelRecord(gc.id(), gc.spaceId(), gc.name(), gc.kind(),
        peerKey(gc.owner()), gc.createdAt()));
    saveGroup(t, gc);
  }

  /**
   * Saves the whole group state: a snapshot of the epoch (tree, epoch secrets, proposals) and the
   * ratchet state, in the same transaction, so that the ratchet state is never older than the
   * snapshot.
   */
  private void saveGroup(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putGroupState(gc.id(), SecretBlob.copyOf(gc.group().toBytes()));
    t.putGroupState(suffixed(gc.id(), ENVELOPE_KEYS_SUFFIX),
        SecretBlob.copyOf(gc.encodeKeySecrets()));
    saveRatchet(t, gc);
  }

  /**
   * Saves only what an application message changes: the secret trees (used keys gone, generations
   * advanced) and the sending sequence; the snapshot of the epoch stays as it is.
   */
  private void saveRatchet(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putGroupState(suffixed(gc.id(), RATCHET_SUFFIX),
        SecretBlob.copyOf(gc.group().ratchetStateBytes()));
    t.putGroupState(metaId(gc.id()), SecretBlob.copyOf(encodeLong(gc.nextSequence())));
  }

  private static Id metaId(Id channelId) {
    return suffixed(channelId, META_SUFFIX);
  }

  private static Id suffixed(Id channelId, byte[] suffix) {
    byte[] a = channelId.toBytes();
    byte[] out = Arrays.copyOf(a, a.length + suffix.length);
    System.arraycopy(suffix, 0, out, a.length, suffix.length);
    return Id.of(out);
  }

  private static byte[] encodeLong(long v) {
    return java.nio.ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long decodeLong(byte[] b) {
    return b.length == 8 ? java.nio.ByteBuffer.wrap(b).getLong() : 0;
  }

  private static Id peerKey(PeerId p) {
    return Id.of(p.bytes());
  }

  private Id randomId() {
    byte[] b = new byte[16];
    config.random().nextBytes(b);
    return Id.of(b);
  }

  private Instant now() {
    return config.clock().instant();
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("name must be 1 to " + MAX_NAME + " characters: " + name);
    }
  }

  private void requireStarted() {
    if (state != State.STARTED) {
      throw new IllegalStateException("node is " + (state == State.NEW ? "not started" : "closed"));
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }

  private TransportIdentity transportIdentity() {
    IdentityKey key = identity;
    return new TransportIdentity() {
      @Override
      public byte[] publicKey() {
        return key.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return key.sign(data);
      }
    };
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ---- locking, transactions, events

  /** Work that runs inside one storage transaction. */
  @FunctionalInterface
  interface TxBody {
    void run(StorageTransaction t) throws StorageException;
  }

  private void tx(TxBody body) throws StorageException {
    storage.<Void, RuntimeException>inTransaction(t -> {
      body.run(t);
      return null;
    });
  }

  /** Work that runs under the node's lock. */
  @FunctionalInterface
  interface LockedWork<T> {
    T run() throws Exception;
  }

  private <T> CompletableFuture<T> async(LockedWork<T> work) {
    try {
      return CompletableFuture.completedFuture(lockedChecked(work));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <T> T locked(LockedWork<T> work) {
    try {
      return lockedChecked(work);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private <T> T lockedChecked(LockedWork<T> work) throws Exception {
    List<Runnable> after;
    T result;
    lock.lock();
    try {
      try {
        result = work.run();
      } finally {
        if (lock.getHoldCount() == 1) {
          after = List.copyOf(afterUnlock);
          afterUnlock.clear();
        } else {
          after = List.of();
        }
      }
    } finally {
      lock.unlock();
    }
    SerialExecutor events = listenerExecutor;
    if (events != null && !lock.isHeldByCurrentThread()) {
      events.flush();
    }
    for (Runnable r : after) {
      r.run();
    }
    return result;
  }

  private void event(java.util.function.Consumer<SpacePandaListener> call) {
    SpacePandaListener l = config.listener();
    listenerExecutor.enqueue(() -> {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("listener threw; skipped", e);
      }
    });
  }
}
