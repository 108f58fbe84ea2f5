package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.PeerId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.Storages;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.internal.crypto.KeyFormatException;
import io.spacepanda.internal.crypto.SecretBytes;
import io.spacepanda.internal.delivery.JitterScheduler;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.net.mix.MixTransport;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.spi.NodeKeyKind;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a node, from {@link #start()} to {@link #close()}: opens storage, creates the
 * services and their threads, loads the spaces into actors, and wires the transport.
 *
 * <p>Threads: a pool of worker threads that every lane shares (or the caller's thread when the
 * node runs on an injected scheduler, as on the simulated network's virtual time, or on a given
 * executor), a scheduler thread for delays and retries, and a listener thread, each unless given.
 */
final class NodeRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
  /**
   * Copies to one peer unacknowledged at once: half the libp2p transport's default limit of
   * inbound envelope streams per connection (32), since a receiver acknowledges only once a copy
   * is durable.
   */
  static final int MAX_COPIES_IN_FLIGHT_PER_PEER = 16;

  private final NodeConfig config;
  private final Handles handles;
  private final NodeStats stats;
  private NodeContext ctx;
  private Lane nodeLane;
  private SpaceActor.Services services;
  private Outbox outbox;
  private PeerDirectory directory;
  private Reconnector reconnector;
  private Rendezvous rendezvous;
  private JoinService joins;
  private InboundRouter router;
  private PendingEnvelopes pending;
  private ChannelSync sync;
  private Mailbox mailbox;
  private ScheduledExecutorService ownScheduler;
  private ExecutorService ownListenerThread;
  private ExecutorService ownWorkers;

  NodeRuntime(NodeConfig config, Handles handles, NodeStats stats) {
    this.config = config;
    this.handles = handles;
    this.stats = stats;
  }

  NodeContext ctx() {
    return ctx;
  }

  /** Returns the inbound router (for tests); null before the transport started. */
  /** @return the sync service, or null before the node started; for tests */
  ChannelSync sync() {
    return sync;
  }

  InboundRouter router() {
    return router;
  }

  Lane nodeLane() {
    return nodeLane;
  }

  SpaceActor.Services services() {
    return services;
  }

  /** Returns the rendezvous service (for tests); null before start. */
  Rendezvous rendezvous() {
    return rendezvous;
  }

  PeerDirectory directory() {
    return directory;
  }

  JoinService joins() {
    return joins;
  }

  CompletableFuture<Void> start() {
    Storage storage;
    IdentityKey identity;
    InboxKey inbox;
    try {
      storage = openStorage();
    } catch (StorageException e) {
      LOG.warn("could not open storage: {}", e.getMessage());
      return CompletableFuture.failedFuture(e);
    }
    try {
      IdentityKey[] id = new IdentityKey[1];
      InboxKey[] in = new InboxKey[1];
      storage.<Void, RuntimeException>inTransaction(t -> {
        loadOrCreateKeys(t, id, in);
        return null;
      });
      identity = id[0];
      inbox = in[0];
    } catch (StorageException e) {
      LOG.warn("could not load the node keys from storage: {}", e.getMessage());
      closeQuietly(storage);
      return CompletableFuture.failedFuture(e);
    }
    // A message that would push out the keys of earlier, still missing messages of its sender is
    // held, not opened: every message still on its way stays readable.
    MlsConfig mls = MlsConfig.builder().pastEpochsRetained(config.pastEpochRetention())
        .maxSkippedKeysPerSender(MlsConfig.DEFAULT_MAX_FORWARD_GENERATION_JUMP)
        .evictSkippedKeys(false).clock(config.clock()).random(config.random()).build();
    Padding padding = config.paddingBucketsOrNull() == null ? Padding.defaults()
        : Padding.of(config.paddingBucketsOrNull());
    Scheduler scheduler = config.schedulerOrNull();
    if (scheduler == null) {
      ownScheduler = Executors.newSingleThreadScheduledExecutor(daemon("spacepanda-scheduler"));
      scheduler = Scheduler.of(ownScheduler);
    }
    Executor listenerExecutor = config.listenerExecutorOrNull();
    if (listenerExecutor == null) {
      ownListenerThread = Executors.newSingleThreadExecutor(daemon("spacepanda-listener"));
      listenerExecutor = ownListenerThread;
    }
    Executor workers = config.workExecutorOrNull();
    if (workers == null && config.schedulerOrNull() != null) {
      workers = Runnable::run;
    } else if (workers == null) {
      int n = Math.max(2, Runtime.getRuntime().availableProcessors());
      ThreadFactory threads = daemon("spacepanda-worker");
      String tag = logTag(identity);
      ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> threads.newThread(() -> {
            // the node's own threads carry its log tag for their whole life (Lane.tagged)
            org.slf4j.MDC.put(MDC_NODE, tag);
            r.run();
          }));
      pool.allowCoreThreadTimeOut(true);
      ownWorkers = pool;
      workers = pool;
    }
    workers = taggedForLogs(workers, identity);
    StepRunner steps = new StepRunner(storage, new SerialExecutor(listenerExecutor),
        config.listener(), stats);
    ctx = new NodeContext(config, storage, identity, inbox, mls, padding, scheduler, workers,
        steps, stats);
    NodeContext c = ctx;
    if (handles instanceof Node owner) {
      ctx.pathRefreshQuiet = owner.pathRefreshInterval();
    }
    stats.spaces(() -> c.spaces);
    nodeLane = new Lane("node", ActorKind.NODE, workers);
    directory = new PeerDirectory(ctx);
    OutboundChain chain = new OutboundChain(List.of(
        OutboundChain.jitter(new JitterScheduler(config.jitter(), scheduler, config.random())),
        OutboundChain.window(MAX_COPIES_IN_FLIGHT_PER_PEER),
        OutboundChain.reseal(ctx::reseal),
        OutboundChain.transport(ctx::transportOrNull)));
    outbox = new Outbox(ctx, chain);
    Outbox box = outbox;
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc) {
        box.peerConnected(pc.peer());
      }
    });
    DirectMessenger messenger = new DirectMessenger(padding, config.random());
    services = new SpaceActor.Services(outbox, messenger, directory, handles);
    joins = new JoinService(ctx, nodeLane, services);
    pending = new PendingEnvelopes(ctx);
    router = new InboundRouter(ctx, nodeLane);
    pending.router(router);
    router.pending(pending);
    sync = new ChannelSync(ctx, services, config.syncInterval());
    ChannelSync syncRef = sync;
    stats.syncGaps(syncRef::gaps);
    mailbox = new Mailbox(ctx, nodeLane, services, config.mailboxHolders());
    reconnector = new Reconnector(this::memberPeers, ctx::transportOrNull, scheduler,
        () -> c.now().toEpochMilli(), config.random());
    rendezvous = new Rendezvous(ctx, directory, router::onEnvelope);
    mailbox.lastResort(rendezvous);
    Rendezvous rv = rendezvous;
    reconnector.onRepeatedFailure(p -> rv.lookup(p));
    Reconnector rc = reconnector;
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc) {
        rc.connected(pc.peer());
      }
    });
    registerDirectHandlers(messenger);
    try {
      loadSpaces();
      outbox.load();
      mailbox.restoreDepositable();
      ChannelJoins.restoreRequests(ctx);
      pending.loadCount();
      joins.resume();
    } catch (StorageException | MlsException e) {
      LOG.warn("node {} could not start: {}", ctx.self, e.getMessage());
      close();
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> started;
    if (config.transport() != null) {
      TransportContext tc = new TransportContext(ctx.self, transportIdentity(identity),
          config.listen(), config.bootstrap(), router);
      // a mixed privacy level: the mix transport needs the identity seed for its X25519 key
      Transport t = config.transport() instanceof MixTransport.Factory mf
          ? mf.create(tc, identity.exportSeed().exportSecret(), this::memberPeers, scheduler,
              config.random(), config.clock())
          : config.transport().create(tc);
      ctx.transport(t);
      directory.restoreAddressBook(t);
      for (SpaceActor a : ctx.spaces.values()) {
        a.learnMemberAddresses();
      }
      started = t.start();
    } else {
      started = CompletableFuture.completedFuture(null);
    }
    return started.thenCompose(v -> {
      List<CompletableFuture<Void>> announced = new ArrayList<>();
      if (ctx.transportOrNull() != null) {
        for (SpaceActor a : ctx.spaces.values()) {
          announced.add(a.announceContactIfChanged().exceptionally(e -> {
            LOG.warn("could not announce this node's new addresses in a space: {}",
                e.getMessage());
            return null;
          }));
        }
      }
      return CompletableFuture.allOf(announced.toArray(CompletableFuture[]::new));
      // The transport completes its start on its own thread, which must not read storage.
    }).thenRunAsync(() -> {
      outbox.resendAll();
      pending.retry();
      sync.start();
      mailbox.start();
      directory.startSaving();
      reconnector.start();
      rendezvous.start();
      LOG.info("node {} started; listening on {}", ctx.self, directory.listenAddresses());
    }, workers);
  }

  /**
   * The members of every space this node is present in, but itself: the peers the reconnector
   * watches and the mixes of a mixed privacy level. From any thread; empty before the start.
   */
  private java.util.Set<PeerId> memberPeers() {
    java.util.Set<PeerId> out = new java.util.HashSet<>();
    NodeContext c = ctx;
    if (c == null) {
      return out;
    }
    for (SpaceActor a : c.spaces.values()) {
      SpaceSnapshot snap = a.snapshot();
      if (snap != null && snap.present()) {
        out.addAll(snap.members());
      }
    }
    out.remove(c.self);
    return out;
  }

  private void registerDirectHandlers(DirectMessenger messenger) {
    router.handle(NodeWire.Join.class, joins::onJoin);
    router.handle(NodeWire.ChannelJoinRequest.class, m -> {
      NodeWire.ChannelJoinRequest r = (NodeWire.ChannelJoinRequest) m;
      return toSpace(r.spaceId(), (a, s) -> a.joins.onChannelJoinRequest(s, r, true));
    });
    router.handle(NodeWire.ChannelWelcome.class, m -> {
      NodeWire.ChannelWelcome w = (NodeWire.ChannelWelcome) m;
      return toSpace(w.spaceId(), (a, s) -> a.joins.onChannelWelcome(s, w));
    });
    router.handle(NodeWire.ChannelInvite.class, m -> {
      NodeWire.ChannelInvite i = (NodeWire.ChannelInvite) m;
      return toSpace(i.spaceId(), (a, s) -> a.joins.onChannelInvite(s, i));
    });
    router.handle(NodeWire.SyncSummary.class, m -> {
      NodeWire.SyncSummary x = (NodeWire.SyncSummary) m;
      return toSpace(x.spaceId(), (a, s) -> sync.onMarks(a, s, new ChannelSync.Marks(
          x.channelId(), x.asker(), x.epoch(), x.marks(), x.extensions()), true));
    });
    router.handle(NodeWire.SyncRequest.class, m -> {
      NodeWire.SyncRequest x = (NodeWire.SyncRequest) m;
      return toSpace(x.spaceId(), (a, s) -> sync.onMarks(a, s, new ChannelSync.Marks(
          x.channelId(), x.asker(), x.epoch(), x.marks(), x.extensions()), false));
    });
    router.handle(NodeWire.SyncResponse.class, m -> {
      NodeWire.SyncResponse x = (NodeWire.SyncResponse) m;
      SpaceActor a = ctx.spaces.get(io.spacepanda.spi.Id.of(x.spaceId()));
      if (a == null) {
        ctx.drop(DropReason.UNEXPECTED, "sync response for an unknown space");
        return CompletableFuture.completedFuture(null);
      }
      return sync.onResponse(a, x);
    });
    router.handle(NodeWire.MailboxDeposit.class,
        m -> mailbox.onDeposit((NodeWire.MailboxDeposit) m));
    router.handle(NodeWire.MailboxRefused.class,
        m -> mailbox.onRefused((NodeWire.MailboxRefused) m));
    router.handle(NodeWire.Fragment.class,
        m -> messenger.onFragment((NodeWire.Fragment) m, router::dispatch));
  }

  /** Work of one space actor on a direct message. */
  @FunctionalInterface
  private interface SpaceWork {
    void run(SpaceActor actor, Step step) throws Exception;
  }

  private CompletableFuture<Void> toSpace(byte[] spaceId, SpaceWork work) {
    SpaceActor a = ctx.spaces.get(io.spacepanda.spi.Id.of(spaceId));
    if (a == null) {
      ctx.drop(DropReason.UNEXPECTED, "direct message for an unknown space");
      return CompletableFuture.completedFuture(null);
    }
    return a.step(s -> {
      work.run(a, s);
      return null;
    });
  }

  private void loadSpaces() throws StorageException, MlsException {
    List<GroupStore.LoadedSpace> loaded = new ArrayList<>();
    ctx.storage.<Void, MlsException>inTransaction(t -> {
      for (SpaceRecord s : t.spaces()) {
        GroupStore.LoadedSpace l = GroupStore.load(t, s, ctx.mls, config.pastEpochRetention());
        if (l != null) {
          loaded.add(l);
        }
      }
      return null;
    });
    for (GroupStore.LoadedSpace l : loaded) {
      SpaceActor a = SpaceActor.of(ctx, services, l);
      ctx.spaces.put(l.record().spaceId(), a);
      // Path refresh timers are armed at epoch changes: arm them again after a restart.
      a.step(s -> {
        a.refresh.armAll(s);
        a.invites.resume(s); // join requests held until this manager's turn (issue 11)
        return null;
      });
    }
  }

  private Storage openStorage() throws StorageException {
    if (config.storage() != null) {
      return config.storage();
    }
    if (config.dataDir() != null) {
      char[] p = config.passphraseOrNull();
      return p == null ? Storages.sqlite(config.dataDir())
          : Storages.sqlite(config.dataDir(), p);
    }
    return Storages.inMemory();
  }

  private void loadOrCreateKeys(io.spacepanda.spi.StorageTransaction t, IdentityKey[] id,
      InboxKey[] in) throws StorageException {
    Optional<SecretBlob> storedId = t.nodeKey(NodeKeyKind.IDENTITY);
    Optional<SecretBlob> storedIn = t.nodeKey(NodeKeyKind.INBOX);
    try {
      if (storedId.isPresent()) {
        id[0] = IdentityKey.restore(SecretBytes.copyOf(storedId.get().revealBytes()));
      } else {
        id[0] = IdentityKey.generate(config.random());
        t.putNodeKey(NodeKeyKind.IDENTITY,
            SecretBlob.copyOf(id[0].exportPrivate().exportSecret()));
      }
      if (storedIn.isPresent()) {
        in[0] = InboxKey.restore(SecretBytes.copyOf(storedIn.get().revealBytes()));
      } else {
        in[0] = InboxKey.generate(config.random());
        t.putNodeKey(NodeKeyKind.INBOX, SecretBlob.copyOf(in[0].exportPrivate().exportSecret()));
      }
    } catch (KeyFormatException e) {
      throw new StorageException("stored node key is malformed", e);
    }
  }

  /** Stops the transport, lets running steps finish, closes storage and stops own threads. */
  void close() {
    if (router != null) {
      router.close();
    }
    stats.stopped();
    if (sync != null) {
      sync.close();
    }
    if (mailbox != null) {
      mailbox.close();
    }
    if (reconnector != null) {
      reconnector.close();
    }
    if (rendezvous != null) {
      rendezvous.close();
    }
    if (directory != null) {
      directory.stop(); // persists the address book while the transport still holds it
    }
    Transport t = ctx == null ? null : ctx.transportOrNull();
    if (ctx != null) {
      ctx.transport(null);
    }
    if (t != null) {
      t.close();
    }
    if (outbox != null) {
      outbox.close();
    }
    if (ownWorkers != null) {
      ownWorkers.shutdown();
      awaitTermination(ownWorkers);
    }
    if (ctx != null) {
      closeQuietly(ctx.storage);
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
    if (ownListenerThread != null) {
      ownListenerThread.shutdown();
    }
    awaitTermination(ownScheduler);
    awaitTermination(ownListenerThread);
    if (ctx != null) {
      LOG.info("node {} stopped", ctx.self);
    }
  }

  private static void closeQuietly(Storage storage) {
    try {
      storage.close();
    } catch (StorageException e) {
      LOG.warn("closing storage failed: {}", e.getMessage());
    }
  }

  private static void awaitTermination(ExecutorService executor) {
    if (executor == null) {
      return;
    }
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("a node thread did not stop within 5 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static TransportIdentity transportIdentity(IdentityKey key) {
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

  /** The SLF4J MDC key under which the node's work logs its short peer id. */
  static final String MDC_NODE = Lane.MDC_NODE;

  /** The node's log tag: the end of its peer id. */
  private static String logTag(IdentityKey identity) {
    String id = identity.peerId().toBase58();
    return id.substring(Math.max(0, id.length() - 6));
  }

  /**
   * Runs every task of the node's lanes with {@link #MDC_NODE} set to the end of this node's peer
   * id, so that an application running several nodes (or a test) can tell their log lines apart:
   * lanes set it once per drain ({@link Lane.LogTagged}), the node's own worker threads carry it
   * from their start.
   */
  private static Executor taggedForLogs(Executor workers, IdentityKey identity) {
    return new Lane.LogTagged(workers, logTag(identity));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name.equals("spacepanda-worker")
          ? name + "-" + n.incrementAndGet() : name);
      t.setDaemon(true);
      return t;
    };
  }
}
