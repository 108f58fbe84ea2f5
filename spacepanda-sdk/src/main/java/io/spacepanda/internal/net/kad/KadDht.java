package io.spacepanda.internal.net.kad;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.kad.KadMessage.Type;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A Kademlia DHT node (libp2p/specs kad-dht/README.md): serves the six RPCs from its {@link
 * RoutingTable} and {@link KadStore}, and runs iterative lookups for peers, values and providers.
 *
 * <p>Lookups (spec "Peer routing", S/Kademlia disjoint paths): the {@code k} closest known peers
 * are dealt round-robin to {@code d} paths; each path keeps its own candidates, queries up to
 * {@code ceil(α/d)} of its {@code k} closest unqueried ones at a time, never a peer another path
 * already claimed, and ends when its {@code k} closest candidates have all answered or failed. A
 * response contributes at most {@code k} peers, never this node or the responder itself; a
 * request that fails or exceeds {@code rpcTimeout} removes the peer from the table; a lookup
 * sends at most {@code maxQueriesPerLookup} requests. So a lookup always finishes, whatever peers
 * answer.
 *
 * <p>Routing table upkeep: a peer that answered a request is offered to the table; a full bucket
 * pings its least recently seen peer and replaces it only when the ping fails. {@link #refresh}
 * (run every {@code refreshInterval} once {@link #start} ran) looks up a random key in every
 * bucket no lookup touched for that long, and the local id.
 *
 * <p>Threading: thread-safe; one lock guards all state, network callbacks may come from any
 * thread. Futures complete on the thread of the network callback or timer.
 */
public final class KadDht implements AutoCloseable {

  /**
   * What a lookup found.
   *
   * @param closest the closest peers that answered, closest first, at most {@code k}
   * @param target the looked-up peer when a FIND_NODE lookup met it, else null
   * @param hops for a found target, the depth of the request whose answer named it (0 when it was
   *     in the local table, 1 when a peer from the table named it); -1 otherwise
   * @param queries requests sent
   * @param failures requests that failed or timed out
   * @param values valid values found (GET_VALUE)
   * @param providers providers found (GET_PROVIDERS)
   */
  public record LookupResult(List<KadPeer> closest, KadPeer target, int hops, int queries,
      int failures, List<byte[]> values, List<KadPeer> providers) {}

  private final PeerId self;
  private final KadId selfId;
  private final Supplier<List<Multiaddr>> selfAddresses;
  private final KadNetwork network;
  private final Scheduler scheduler;
  private final LongSupplier clock;
  private final Random random;
  private final KadConfig config;
  private final Map<String, RecordValidator> validators;
  private final Object lock = new Object();
  private final RoutingTable table; // guarded by lock
  private final KadStore store; // guarded by lock
  private final Set<PeerId> evictionPings = new HashSet<>(); // guarded by lock
  private final AtomicLong requestsSent = new AtomicLong();
  private final AtomicLong requestsServed = new AtomicLong();
  private final AtomicLong droppedPeers = new AtomicLong();
  private Scheduler.Cancellable refreshTimer; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * Creates a DHT node; nothing runs until {@link #start} or a call.
   *
   * @param self the local peer
   * @param selfAddresses the local listen addresses, asked whenever this node describes itself
   * @param network reaches other peers
   * @param scheduler runs timeouts and refreshes
   * @param clock epoch milliseconds
   * @param random for refresh keys
   * @param config parameters
   * @param validators record validators by key prefix, such as {@link Validators#defaults()}
   */
  public KadDht(PeerId self, Supplier<List<Multiaddr>> selfAddresses, KadNetwork network,
      Scheduler scheduler, LongSupplier clock, Random random, KadConfig config,
      Map<String, RecordValidator> validators) {
    this.self = Objects.requireNonNull(self, "self");
    this.selfId = KadId.of(self.bytes());
    this.selfAddresses = Objects.requireNonNull(selfAddresses, "selfAddresses");
    this.network = Objects.requireNonNull(network, "network");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.config = Objects.requireNonNull(config, "config");
    this.validators = Map.copyOf(validators);
    this.table = new RoutingTable(self, config.k(), config.maxPerGroupPerBucket(), config.maxPerGroupInTable());
    this.store = new KadStore(config.maxRecords(), config.maxProviderKeys(), KadMessage.MAX_PEERS);
  }

  /**
   * Returns the local peer.
   *
   * @return the peer id
   */
  public PeerId self() {
    return self;
  }

  /**
   * Returns the configuration.
   *
   * @return the parameters
   */
  public KadConfig config() {
    return config;
  }

  /**
   * Starts the periodic refresh.
   */
  public void start() {
    synchronized (lock) {
      if (closed || refreshTimer != null) {
        return;
      }
      scheduleRefresh();
    }
  }

  private void scheduleRefresh() {
    // A little jitter so that nodes started together do not refresh together.
    long base = config.refreshInterval().toMillis();
    long delay = base / 2 + (long) (random.nextDouble() * base / 2);
    refreshTimer = scheduler.schedule(Duration.ofMillis(delay), () -> {
      synchronized (lock) {
        if (closed) {
          return;
        }
        scheduleRefresh();
      }
      refresh();
    });
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (refreshTimer != null) {
        refreshTimer.cancel();
      }
    }
  }

  // ---------------------------------------------------------------- table

  /**
   * Offers a peer that proved it serves the DHT (it answered, or identify listed the protocol);
   * a full bucket pings its oldest peer first.
   *
   * @param peer the peer with its addresses
   */
  public void peerSeen(KadPeer peer) {
    KadPeer toPing;
    synchronized (lock) {
      RoutingTable.Outcome o = table.offer(peer);
      if (o != RoutingTable.Outcome.FULL) {
        return;
      }
      toPing = table.oldest(peer.id());
      if (toPing == null || !evictionPings.add(toPing.id())) {
        return;
      }
    }
    KadPeer oldest = toPing;
    rpc(oldest, KadMessage.request(Type.PING, new byte[0])).whenComplete((r, e) -> {
      synchronized (lock) {
        evictionPings.remove(oldest.id());
        if (e == null) {
          table.offer(oldest); // alive: it stays, as the most recently seen
        } else {
          table.replace(oldest.id(), peer);
        }
      }
    });
  }

  /**
   * Adds peers without checking them first (bootstrap peers, a persisted table).
   *
   * @param peers the peers
   */
  public void addPeers(List<KadPeer> peers) {
    synchronized (lock) {
      for (KadPeer p : peers) {
        table.offer(p);
      }
    }
  }

  /**
   * Removes a peer from the table.
   *
   * @param peer the peer
   */
  public void removePeer(PeerId peer) {
    synchronized (lock) {
      table.remove(peer);
    }
  }

  /**
   * Returns the peers in the routing table.
   *
   * @return a snapshot
   */
  public List<KadPeer> routingTablePeers() {
    synchronized (lock) {
      return table.peers();
    }
  }

  /**
   * Returns the routing table's size.
   *
   * @return the number of peers
   */
  public int routingTableSize() {
    synchronized (lock) {
      return table.size();
    }
  }

  /**
   * Returns the routing table entry of a peer.
   *
   * @param peer the peer
   * @return its entry or null
   */
  public KadPeer tableEntry(PeerId peer) {
    synchronized (lock) {
      return table.get(peer);
    }
  }

  /** Returns requests sent, requests served and malformed peers dropped from answers. */
  long[] counters() {
    return new long[] {requestsSent.get(), requestsServed.get(), droppedPeers.get()};
  }

  // ---------------------------------------------------------------- server

  /**
   * Answers one request (spec "RPC messages"): FIND_NODE with the {@code k} closest peers;
   * GET_VALUE with the record if held and closer peers; PUT_VALUE stores a valid record and echoes
   * it; ADD_PROVIDER stores the provider entries that name the sender (spec: a peer may only
   * announce itself); GET_PROVIDERS with providers and closer peers; PING echoes.
   *
   * @param from the requesting peer (proven by the connection)
   * @param request the request
   * @return the response, or null when none is sent (ADD_PROVIDER)
   * @throws KadException when the request is invalid (the stream is then reset)
   */
  public KadMessage handle(PeerId from, KadMessage request) throws KadException {
    requestsServed.incrementAndGet();
    long now = clock.getAsLong();
    byte[] key = request.key();
    synchronized (lock) {
      switch (request.type()) {
        case PING:
          return request;
        case FIND_NODE:
          return new KadMessage(Type.FIND_NODE, key, null, closerFor(key, from), List.of(), 0);
        case GET_VALUE: {
          KadStore.Stored s = store.get(key, now);
          KadMessage.Record r = s == null ? null : new KadMessage.Record(key, s.value(), "");
          return new KadMessage(Type.GET_VALUE, key, r, closerFor(key, from), List.of(), 0);
        }
        case PUT_VALUE: {
          KadMessage.Record r = request.record();
          if (r == null || !Arrays.equals(r.key(), key)) {
            throw new KadException("PUT_VALUE without a matching record");
          }
          RecordValidator v = Validators.forKey(validators, key);
          v.validate(key, r.value(), now);
          KadStore.Stored old = store.get(key, now);
          if (old != null) {
            try {
              v.validate(key, old.value(), now);
              if (v.select(key, List.of(old.value(), r.value())) == 0 && !Arrays.equals(old.value(), r.value())) {
                return request; // keep the better record we have; the put is still acknowledged
              }
            } catch (KadException e) {
              // the old value no longer validates: replace it
            }
          }
          long exp = Math.min(now + config.recordTtl().toMillis(), v.expiresAtMillis(r.value()));
          store.put(key, r.value(), exp, now);
          return request;
        }
        case ADD_PROVIDER: {
          for (KadPeer p : request.providerPeers()) {
            if (p.id().equals(from)) {
              store.addProvider(key, p, now + config.providerTtl().toMillis(), now);
            }
          }
          return null;
        }
        case GET_PROVIDERS:
          return new KadMessage(Type.GET_PROVIDERS, key, null, closerFor(key, from),
              store.providers(key, now, config.k()), 0);
        default:
          throw new KadException("unsupported kad request");
      }
    }
  }

  private List<KadPeer> closerFor(byte[] key, PeerId requester) {
    List<KadPeer> out = new ArrayList<>();
    for (KadPeer p : table.closest(KadId.of(key), config.k() + 1)) {
      if (!p.id().equals(requester) && out.size() < config.k()) {
        out.add(p);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- client

  private CompletableFuture<KadMessage> rpc(KadPeer peer, KadMessage request) {
    requestsSent.incrementAndGet();
    CompletableFuture<KadMessage> out = new CompletableFuture<>();
    Scheduler.Cancellable timer;
    try {
      timer = scheduler.schedule(config.rpcTimeout(),
          () -> out.completeExceptionally(new KadException("kad request timed out")));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new KadException("kad stopped", e));
    }
    CompletableFuture<KadMessage> sent;
    try {
      sent = network.send(peer, request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((r, e) -> {
      timer.cancel();
      if (e != null) {
        out.completeExceptionally(e);
      } else {
        out.complete(r);
      }
    });
    return out;
  }

  /**
   * Pings a peer with the kad PING message.
   *
   * @param peer the peer
   * @return completes when it answered
   */
  public CompletableFuture<Void> ping(KadPeer peer) {
    return rpc(peer, KadMessage.request(Type.PING, new byte[0])).thenApply(r -> null);
  }

  /**
   * Looks up the {@code k} peers closest to a key (FIND_NODE).
   *
   * @param key the key (a peer id multihash to find a peer)
   * @return the result; never fails
   */
  public CompletableFuture<LookupResult> findClosest(byte[] key) {
    return lookup(Type.FIND_NODE, key, null);
  }

  /**
   * Finds a peer's addresses by its id: a FIND_NODE lookup that stops once some peer names it.
   *
   * @param peer the peer
   * @return the result; {@link LookupResult#target()} is null when nobody knew the peer
   */
  public CompletableFuture<LookupResult> findPeer(PeerId peer) {
    return lookup(Type.FIND_NODE, peer.bytes(), peer);
  }

  /**
   * Stores a record on the {@code k} peers closest to its key (and locally).
   *
   * @param key the key, in a namespace with a validator
   * @param value the value
   * @return completes with the number of peers that acknowledged it
   */
  public CompletableFuture<Integer> putValue(byte[] key, byte[] value) {
    long now = clock.getAsLong();
    try {
      RecordValidator v = Validators.forKey(validators, key);
      v.validate(key, value, now);
      synchronized (lock) {
        store.put(key, value, Math.min(now + config.recordTtl().toMillis(), v.expiresAtMillis(value)), now);
      }
    } catch (KadException e) {
      return CompletableFuture.failedFuture(e);
    }
    KadMessage put = new KadMessage(Type.PUT_VALUE, key, new KadMessage.Record(key, value, ""), List.of(),
        List.of(), 0);
    return findClosest(key).thenCompose(res -> {
      List<CompletableFuture<Boolean>> acks = new ArrayList<>();
      for (KadPeer p : res.closest()) {
        acks.add(rpc(p, put).handle((r, e) -> e == null && r != null));
      }
      return CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
          .thenApply(v -> (int) acks.stream().filter(CompletableFuture::join).count());
    });
  }

  /**
   * Fetches the best valid value of a key (GET_VALUE lookup, stopping after {@code
   * getValueQuorum} valid values).
   *
   * @param key the key
   * @return completes with the best value, or null when none was found
   */
  public CompletableFuture<byte[]> getValue(byte[] key) {
    return lookup(Type.GET_VALUE, key, null).thenApply(res -> {
      List<byte[]> values = new ArrayList<>(res.values());
      synchronized (lock) {
        KadStore.Stored s = store.get(key, clock.getAsLong());
        if (s != null) {
          values.add(s.value());
        }
      }
      if (values.isEmpty()) {
        return null;
      }
      try {
        return values.get(Validators.forKey(validators, key).select(key, values));
      } catch (KadException e) {
        return null;
      }
    });
  }

  /**
   * Announces this node as a provider of a key to the {@code k} closest peers (ADD_PROVIDER).
   *
   * @param key the key (a CID multihash, or any bytes)
   * @return completes with the number of peers the announcement was sent to
   */
  public CompletableFuture<Integer> provide(byte[] key) {
    KadPeer me = new KadPeer(self, selfAddressesCapped());
    long now = clock.getAsLong();
    synchronized (lock) {
      store.addProvider(key, me, now + config.providerTtl().toMillis(), now);
    }
    KadMessage add = new KadMessage(Type.ADD_PROVIDER, key, null, List.of(), List.of(me), 0);
    return findClosest(key).thenCompose(res -> {
      List<CompletableFuture<Boolean>> sends = new ArrayList<>();
      for (KadPeer p : res.closest()) {
        sends.add(rpc(p, add).handle((r, e) -> e == null));
      }
      return CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]))
          .thenApply(v -> (int) sends.stream().filter(CompletableFuture::join).count());
    });
  }

  /**
   * Finds providers of a key (GET_PROVIDERS lookup, stopping after {@code k} providers).
   *
   * @param key the key
   * @return completes with the providers found, possibly none
   */
  public CompletableFuture<List<KadPeer>> findProviders(byte[] key) {
    return lookup(Type.GET_PROVIDERS, key, null).thenApply(res -> {
      Map<PeerId, KadPeer> out = new LinkedHashMap<>();
      synchronized (lock) {
        for (KadPeer p : store.providers(key, clock.getAsLong(), config.k())) {
          out.put(p.id(), p);
        }
      }
      for (KadPeer p : res.providers()) {
        out.putIfAbsent(p.id(), p);
      }
      return List.copyOf(out.values());
    });
  }

  private List<Multiaddr> selfAddressesCapped() {
    List<Multiaddr> a = selfAddresses.get();
    return a.size() > KadMessage.MAX_ADDRESSES_PER_PEER ? a.subList(0, KadMessage.MAX_ADDRESSES_PER_PEER) : a;
  }

  /**
   * Looks up the local id, then a random key in every bucket no lookup touched for {@code
   * refreshInterval}, up to one past the deepest non-empty bucket (at most {@code maxRefreshCpl}).
   *
   * @return completes when every lookup finished
   */
  public CompletableFuture<Void> refresh() {
    List<Integer> stale;
    synchronized (lock) {
      int deepest = 0;
      for (KadPeer p : table.peers()) {
        deepest = Math.max(deepest, table.bucketOf(KadId.of(p.id().bytes())));
      }
      stale = table.staleBuckets(clock.getAsLong(), config.refreshInterval().toMillis(),
          Math.min(config.maxRefreshCpl(), deepest + 1));
    }
    List<CompletableFuture<?>> all = new ArrayList<>();
    all.add(findClosest(self.bytes()));
    for (int cpl : stale) {
      all.add(findClosest(randomKeyWithCpl(cpl)));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Returns key bytes whose id shares exactly {@code cpl} leading bits with the local id. Finding
   * one takes about 2^(cpl+1) hashes, so every key met on the way is kept (up to {@link
   * #KEYS_PER_CPL} per bucket) and later refreshes pick among them, as go's precomputed preimage
   * table does.
   */
  byte[] randomKeyWithCpl(int cpl) {
    synchronized (refreshKeys) {
      List<byte[]> have = refreshKeys.computeIfAbsent(cpl, c -> new ArrayList<>());
      while (have.size() < KEYS_PER_CPL) {
        byte[] key = new byte[34];
        key[0] = 0x12;
        key[1] = 0x20;
        for (int i = 2; i < key.length; i++) {
          key[i] = (byte) random.nextInt(256);
        }
        int c = selfId.commonPrefixLength(KadId.of(key));
        List<byte[]> bucket = refreshKeys.computeIfAbsent(c, x -> new ArrayList<>());
        if (bucket.size() < KEYS_PER_CPL) {
          bucket.add(key);
        }
      }
      return have.get(random.nextInt(have.size())).clone();
    }
  }

  /** Refresh keys kept per bucket. */
  static final int KEYS_PER_CPL = 2;

  private final Map<Integer, List<byte[]>> refreshKeys = new HashMap<>();

  // ---------------------------------------------------------------- lookup

  private CompletableFuture<LookupResult> lookup(Type type, byte[] key, PeerId targetPeer) {
    Lookup l = new Lookup(type, key, targetPeer);
    l.begin();
    return l.result;
  }

  private static final class Candidate {
    final KadPeer peer;
    final KadId id;
    final int depth;
    int state; // 0 new, 1 waiting, 2 answered, 3 failed

    Candidate(KadPeer peer, KadId id, int depth) {
      this.peer = peer;
      this.id = id;
      this.depth = depth;
    }
  }

  private final class Lookup {
    final Type type;
    final byte[] key;
    final KadId target;
    final PeerId targetPeer;
    final CompletableFuture<LookupResult> result = new CompletableFuture<>();
    final List<TreeMap<KadId, Candidate>> paths = new ArrayList<>();
    final int[] inFlight;
    final Set<PeerId> claimed = new HashSet<>();
    final int perPath;
    final List<byte[]> values = new ArrayList<>();
    final Map<PeerId, KadPeer> providers = new LinkedHashMap<>();
    KadPeer found;
    int hops = -1;
    int queries;
    int failures;
    boolean done;

    Lookup(Type type, byte[] key, PeerId targetPeer) {
      this.type = type;
      this.key = key.clone();
      this.target = KadId.of(key);
      this.targetPeer = targetPeer;
      int d = config.disjointPaths();
      this.perPath = (config.alpha() + d - 1) / d;
      this.inFlight = new int[d];
      for (int i = 0; i < d; i++) {
        paths.add(new TreeMap<>(target::compareDistance));
      }
    }

    void begin() {
      List<Runnable> sends = new ArrayList<>();
      synchronized (lock) {
        table.touched(table.bucketOf(target), clock.getAsLong());
        if (targetPeer != null) {
          KadPeer known = table.get(targetPeer);
          if (known != null && !known.addresses().isEmpty()) {
            found = known;
            hops = 0;
          }
        }
        List<KadPeer> seeds = table.closest(target, config.k());
        for (int i = 0; i < seeds.size(); i++) {
          KadPeer p = seeds.get(i);
          paths.get(i % paths.size()).put(KadId.of(p.id().bytes()), new Candidate(p, KadId.of(p.id().bytes()), 1));
        }
        if (found != null) {
          finish();
          return;
        }
        for (int i = 0; i < paths.size(); i++) {
          step(i, sends);
        }
        checkDone();
      }
      sends.forEach(Runnable::run);
    }

    /** Claims and sends to this path's next candidates; called under the lock. */
    void step(int path, List<Runnable> sends) {
      if (done) {
        return;
      }
      int seen = 0;
      for (Candidate c : paths.get(path).values()) {
        if (inFlight[path] >= perPath || seen >= config.k()) {
          break;
        }
        if (c.state == 3) {
          continue; // failed peers do not count among the k closest
        }
        seen++;
        if (c.state != 0 || claimed.contains(c.peer.id())) {
          continue;
        }
        if (queries >= config.maxQueriesPerLookup()) {
          break;
        }
        claimed.add(c.peer.id());
        c.state = 1;
        inFlight[path]++;
        queries++;
        KadMessage req = KadMessage.request(type, key);
        sends.add(() -> rpc(c.peer, req).whenComplete((r, e) -> onAnswer(path, c, r, e)));
      }
    }

    void onAnswer(int path, Candidate c, KadMessage r, Throwable e) {
      List<Runnable> sends = new ArrayList<>();
      KadPeer responder = null;
      synchronized (lock) {
        inFlight[path]--;
        if (e != null || r == null || r.type() != type) {
          c.state = 3;
          failures++;
          table.remove(c.peer.id());
        } else {
          c.state = 2;
          responder = c.peer;
          absorb(path, c, r);
        }
        if (!done) {
          if (found != null || enoughValues()) {
            finish();
          } else {
            step(path, sends);
            // A path that ran dry may pick up candidates claimed by nobody in other paths' answers.
            checkDone();
          }
        }
      }
      if (responder != null) {
        peerSeen(responder);
      }
      sends.forEach(Runnable::run);
    }

    boolean enoughValues() {
      return (type == Type.GET_VALUE && values.size() >= config.getValueQuorum())
          || (type == Type.GET_PROVIDERS && providers.size() >= config.k());
    }

    void absorb(int path, Candidate from, KadMessage r) {
      droppedPeers.addAndGet(r.droppedPeers());
      TreeMap<KadId, Candidate> cands = paths.get(path);
      int taken = 0;
      for (KadPeer p : r.closerPeers()) {
        if (taken == config.k()) {
          break; // a peer answering too many peers is cut to k
        }
        if (p.id().equals(self) || p.id().equals(from.peer.id())) {
          continue;
        }
        taken++;
        if (targetPeer != null && p.id().equals(targetPeer) && !p.addresses().isEmpty() && found == null) {
          found = p;
          hops = from.depth;
        }
        KadId id = KadId.of(p.id().bytes());
        if (!cands.containsKey(id)) {
          cands.put(id, new Candidate(p, id, from.depth + 1));
        }
      }
      // Keep each path's candidate set small: the 3k closest are enough.
      while (cands.size() > 3 * config.k()) {
        cands.pollLastEntry();
      }
      if (type == Type.GET_VALUE && r.record() != null && Arrays.equals(r.record().key(), key)) {
        try {
          Validators.forKey(validators, key).validate(key, r.record().value(), clock.getAsLong());
          values.add(r.record().value());
        } catch (KadException e) {
          // an invalid value is ignored
        }
      }
      if (type == Type.GET_PROVIDERS) {
        for (KadPeer p : r.providerPeers()) {
          if (providers.size() < config.k()) {
            providers.putIfAbsent(p.id(), p);
          }
        }
      }
    }

    void checkDone() {
      if (done) {
        return;
      }
      for (int i = 0; i < paths.size(); i++) {
        if (inFlight[i] > 0) {
          return;
        }
      }
      finish();
    }

    void finish() {
      done = true;
      List<Candidate> answered = new ArrayList<>();
      for (TreeMap<KadId, Candidate> p : paths) {
        for (Candidate c : p.values()) {
          if (c.state == 2) {
            answered.add(c);
          }
        }
      }
      answered.sort((a, b) -> target.compareDistance(a.id, b.id));
      List<KadPeer> closest = new ArrayList<>();
      Set<PeerId> dup = new HashSet<>();
      for (Candidate c : answered) {
        if (closest.size() < config.k() && dup.add(c.peer.id())) {
          closest.add(c.peer);
        }
      }
      LookupResult res = new LookupResult(List.copyOf(closest), found, hops, queries, failures,
          List.copyOf(values), List.copyOf(providers.values()));
      try {
        scheduler.schedule(Duration.ZERO, () -> result.complete(res));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        result.complete(res); // scheduler stopped: complete here rather than never
      }
    }
  }

  /**
   * Returns the record this node holds for a key, without asking anyone.
   *
   * @param key the key
   * @return the value, or null
   */
  public byte[] localValue(byte[] key) {
    synchronized (lock) {
      KadStore.Stored s = store.get(key, clock.getAsLong());
      return s == null ? null : s.value().clone();
    }
  }

  /**
   * Returns the providers this node holds for a key, without asking anyone.
   *
   * @param key the key
   * @return the providers, newest first
   */
  public List<KadPeer> localProviders(byte[] key) {
    synchronized (lock) {
      return store.providers(key, clock.getAsLong(), config.k());
    }
  }

  /**
   * Returns the number of records held.
   *
   * @return the count
   */
  public int storedRecords() {
    synchronized (lock) {
      return store.recordCount();
    }
  }

  /**
   * Returns counts for tests and measurements.
   *
   * @return requests sent, requests served, malformed peers dropped
   */
  public Map<String, Long> stats() {
    Map<String, Long> m = new HashMap<>();
    m.put("sent", requestsSent.get());
    m.put("served", requestsServed.get());
    m.put("dropped", droppedPeers.get());
    return m;
  }
}
