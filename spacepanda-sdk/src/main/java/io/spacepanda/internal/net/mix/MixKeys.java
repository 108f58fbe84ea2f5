package io.spacepanda.internal.net.mix;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Scheduler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The signed epoch mix keys of other nodes as this node knows them, and the small exchange that
 * fetches them (issue 16, key rotation).
 *
 * <p>Every node with a mix transport answers key requests with its current {@link MixKeyRecord},
 * signed by its identity key. A request and its answer are Sphinx packets of the one size,
 * addressed to the node's <em>control key</em>: the X25519 form of its Ed25519 identity ({@link
 * MixKeyRing#publicKeyFromEd25519}), which every peer computes from the peer id and which serves
 * only this exchange. The request carries a single-use reply block back to the requester's control
 * key; the answer travels in it.
 *
 * <pre>
 * request  = 0x10 ‖ surbLen(2) ‖ surb
 * answer   = 0x11 ‖ count(1) = 1 ‖ record(MixKeyRecord.LENGTH)
 * </pre>
 *
 * <p>A dedicated mix (named in the builder or found in the DHT) is asked directly, as senders
 * talk to it directly anyway; a member of this node's spaces is asked through the mixnet (mixes
 * whose keys are known, then the member's control key as last hop, the answer back the same
 * way), so that two members never exchange a packet directly; only when no mix key is known yet
 * is a member asked directly. Keys are refreshed on a timer, not when a message is sent, so the
 * exchange does not tell an observer when or to whom this node sends; a send to a peer whose key
 * is not known yet fetches it first. Key-exchange packets leave at once, outside the cover
 * stream (a few a rotation period per peer known).
 *
 * <p>Each record is verified (signature by the owner's identity, validity window) when it
 * arrives and its validity is checked again at each use: a key is used only while a packet built
 * now can still cross the mixnet before its owner stops accepting it. Bounded: at most {@value
 * #MAX_RECORDS} records and {@value #MAX_PENDING} fetches at once. Thread-safe.
 */
final class MixKeys {

  /** Frame type of a key request. */
  static final int REQUEST = 0x10;
  /** Frame type of a key answer. */
  static final int ANSWER = 0x11;
  /** Peers whose records are kept at most. */
  static final int MAX_RECORDS = 4096;
  /** Fetches under way at most. */
  static final int MAX_PENDING = 512;
  /** Replay tags of the control key (it rolls over: the last 4096 to 8192 are remembered). */
  static final int CONTROL_TAGS = 4096;

  /** How a key-exchange packet leaves: to its first hop, at once. */
  @FunctionalInterface
  interface Dispatch {
    void send(byte[] firstHop, byte[] packet);
  }

  /** The hops of a path and the per-hop delays, from the mix node. */
  interface Paths {
    /** Up to {@code hops} random mixes other than {@code avoid}, keys known; maybe fewer. */
    List<Sphinx.Hop> mixes(byte[] avoid);

    /** Delays for a path of n hops. */
    int[] delays(int n);
  }

  private record Pending(PeerId peer, Sphinx.SurbSecret secret, CompletableFuture<Void> done) {}

  private final PeerId self;
  private final MixKeyRing control;
  private final byte[] controlPublic;
  private final MixConfig config;
  private final Scheduler scheduler;
  private final SecureRandom random;
  private final Clock clock;
  private final Dispatch dispatch;
  private final Supplier<MixKeyRecord> own;
  private final Map<PeerId, MixKeyRecord> records = new ConcurrentHashMap<>();
  private final Map<PeerId, CompletableFuture<Void>> fetching = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<MixKeyException.Reason, AtomicLong> refused =
      new EnumMap<>(MixKeyException.Reason.class);
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<PeerId, Long> acceptedAt = new ConcurrentHashMap<>();
  private volatile Paths paths;
  private volatile long stale = Long.MIN_VALUE;

  /**
   * Creates the key book.
   *
   * @param self this node
   * @param controlPrivate the X25519 form of this node's identity (copied)
   * @param config rotation, grace and timeouts
   * @param scheduler timeouts
   * @param random packet keys
   * @param clock validity checks
   * @param dispatch sends a packet to its first hop at once
   * @param own this node's current signed record, or null before the start
   */
  MixKeys(PeerId self, byte[] controlPrivate, MixConfig config, Scheduler scheduler,
      SecureRandom random, Clock clock, Dispatch dispatch,
      Supplier<MixKeyRecord> own) {
    this.self = self;
    this.control = new MixKeyRing(controlPrivate, CONTROL_TAGS);
    this.controlPublic = control.publicKey();
    this.config = config;
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.dispatch = dispatch;
    this.own = own;
    for (MixKeyException.Reason r : MixKeyException.Reason.values()) {
      refused.put(r, new AtomicLong());
    }
  }

  /** Sets where paths through the mixnet come from (the mix node, once it exists). */
  void paths(Paths p) {
    this.paths = p;
  }

  /**
   * How long before its end a record stops being used: half the key grace, at most a tenth of
   * the record's window (a peer that rotates faster than this node).
   */
  private long margin(MixKeyRecord r) {
    return Math.min(config.keyGrace().toMillis() / 2, (r.validUntil() - r.validFrom()) / 10);
  }

  /** When a record is due for a refresh: when its owner has rotated (the grace has begun). */
  private long refreshAt(MixKeyRecord r) {
    return r.validUntil() - Math.min(config.keyGrace().toMillis(),
        (r.validUntil() - r.validFrom()) / 5);
  }

  /**
   * Returns a peer's verified key if a packet built now for it still arrives in time.
   *
   * @param peer the peer
   * @return its record, or null
   */
  MixKeyRecord usable(PeerId peer) {
    MixKeyRecord r = records.get(peer);
    if (r == null) {
      return null;
    }
    long now = clock.millis();
    if (now + margin(r) >= r.validUntil()) {
      return null;
    }
    return r;
  }

  /**
   * Verifies a record as {@code owner}'s and keeps it if it is newer than the one known.
   *
   * @param owner whose record it should be
   * @param encoded the record's bytes
   * @return the record
   * @throws MixKeyException why it is refused (counted in {@link #refused})
   */
  MixKeyRecord accept(PeerId owner, byte[] encoded) throws MixKeyException {
    try {
      MixKeyRecord r = MixKeyRecord.decode(encoded);
      r.verify(owner, clock.millis(), margin(r));
      records.compute(owner, (k, old) -> old == null
          || clock.millis() + margin(old) >= old.validUntil()
          || r.validFrom() >= old.validFrom() ? r : old);
      acceptedAt.put(owner, clock.millis());
      if (records.size() > MAX_RECORDS) {
        purge();
      }
      return r;
    } catch (MixKeyException e) {
      refused.get(e.reason()).incrementAndGet();
      throw e;
    }
  }

  /** Drops expired records; if still too many, all but the owner just added. */
  private void purge() {
    long now = clock.millis();
    records.values().removeIf(r -> now >= r.validUntil());
    if (records.size() > MAX_RECORDS) {
      records.clear();
    }
    acceptedAt.keySet().retainAll(records.keySet());
  }

  /**
   * Fetches the keys of the peers whose record is missing or due for a refresh.
   *
   * @param peers the peers to keep keys of
   * @param dedicated the peers among them that are dedicated mixes (asked directly)
   * @return completes when every fetch started here ended; never fails
   */
  CompletableFuture<Void> refresh(Collection<PeerId> peers, Set<PeerId> dedicated) {
    long now = clock.millis();
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (PeerId p : peers) {
      if (p.equals(self)) {
        continue;
      }
      MixKeyRecord r = records.get(p);
      Long at = acceptedAt.get(p);
      if (r == null || now >= refreshAt(r) || at == null || at <= stale) {
        started.add(fetch(p, dedicated.contains(p)).exceptionally(e -> null));
      }
    }
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
  }

  /**
   * Asks a peer for its current key, directly or through the mixnet; one fetch per peer at once.
   *
   * @param peer the peer
   * @param askDirectly whether to ask it directly (a dedicated mix)
   * @return completes when its answer was accepted; fails on timeout or a refused record
   */
  CompletableFuture<Void> fetch(PeerId peer, boolean askDirectly) {
    byte[] controlKey;
    try {
      controlKey = peer.ed25519PublicKey().map(MixKeyRing::publicKeyFromEd25519).orElse(null);
    } catch (IllegalArgumentException e) {
      controlKey = null;
    }
    if (controlKey == null || peer.bytes().length > Sphinx.MAX_ADDRESS) {
      return CompletableFuture.failedFuture(new MixKeyException(
          MixKeyException.Reason.NO_IDENTITY_KEY));
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = fetching.putIfAbsent(peer, mine);
    if (running != null) {
      return running;
    }
    if (pending.size() >= MAX_PENDING) {
      fetching.remove(peer, mine);
      return CompletableFuture.failedFuture(new IllegalStateException("too many key fetches"));
    }
    mine.whenComplete((v, e) -> fetching.remove(peer, mine));
    Paths p = paths;
    List<Sphinx.Hop> out = askDirectly || p == null ? List.of() : p.mixes(peer.bytes());
    List<Sphinx.Hop> back = askDirectly || p == null || out.isEmpty() ? List.of()
        : p.mixes(peer.bytes());
    if (back.isEmpty()) {
      out = List.of();
    }
    List<Sphinx.Hop> backPath = new ArrayList<>(back);
    backPath.add(new Sphinx.Hop(self.bytes(), controlPublic));
    Sphinx.SurbPair surb = Sphinx.createSurb(backPath, delays(backPath.size()), random);
    byte[] s = surb.surb().encode();
    byte[] frame = new byte[3 + s.length];
    frame[0] = REQUEST;
    frame[1] = (byte) (s.length >>> 8);
    frame[2] = (byte) s.length;
    System.arraycopy(s, 0, frame, 3, s.length);
    List<Sphinx.Hop> path = new ArrayList<>(out);
    path.add(new Sphinx.Hop(peer.bytes(), controlKey));
    byte[] packet = Sphinx.build(path, delays(path.size()), Sphinx.Kind.DELIVER, null, frame,
        random);
    String id = HexFormat.of().formatHex(surb.secret().surbId());
    pending.put(id, new Pending(peer, surb.secret(), mine));
    scheduler.schedule(config.ackTimeout(), () -> {
      Pending gone = pending.remove(id);
      if (gone != null) {
        gone.done().completeExceptionally(new java.util.concurrent.TimeoutException(
            "no mix key from " + peer));
      }
    });
    dispatch.send(path.get(0).address(), packet);
    return mine;
  }

  private int[] delays(int n) {
    Paths p = paths;
    return p == null ? new int[n] : p.delays(n);
  }

  /**
   * Handles a packet that is no mix packet for this node's epoch keys: a key request to answer or
   * an answer to a fetch of this node's.
   *
   * @param from the peer it came from
   * @param packet {@value Sphinx#PACKET_LENGTH} bytes
   * @return false if it is not for the control key either (its MAC fails)
   */
  boolean receive(PeerId from, byte[] packet) {
    Sphinx.Processed p;
    try {
      p = Sphinx.process(control, packet);
    } catch (MixException e) {
      if (e.reason() == MixException.Reason.BAD_MAC || e.reason() == MixException.Reason.WEAK_KEY) {
        return false;
      }
      dropped.incrementAndGet();
      return true;
    }
    if (p instanceof Sphinx.Delivered d) {
      answer(d.message());
    } else if (p instanceof Sphinx.ReplyArrived r) {
      onAnswer(r);
    } else {
      // a control key is the last hop of key requests only: nothing else is for it
      dropped.incrementAndGet();
    }
    return true;
  }

  private void answer(byte[] frame) {
    MixKeyRecord mine = own.get();
    if (mine == null || frame.length < 3 || (frame[0] & 0xff) != REQUEST) {
      dropped.incrementAndGet();
      return;
    }
    int n = ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
    if (n > Sphinx.Surb.MAX_ENCODED_LENGTH || 3 + n != frame.length) {
      dropped.incrementAndGet();
      return;
    }
    Sphinx.Surb surb;
    try {
      surb = Sphinx.Surb.decode(Arrays.copyOfRange(frame, 3, frame.length));
    } catch (MixException e) {
      dropped.incrementAndGet();
      return;
    }
    byte[] rec = mine.encode();
    byte[] msg = new byte[2 + rec.length];
    msg[0] = ANSWER;
    msg[1] = 1;
    System.arraycopy(rec, 0, msg, 2, rec.length);
    if (Arrays.equals(surb.firstHop(), self.bytes())) {
      dropped.incrementAndGet();
      return;
    }
    answered.incrementAndGet();
    dispatch.send(surb.firstHop(), Sphinx.reply(surb, msg, random));
  }

  private void onAnswer(Sphinx.ReplyArrived r) {
    Pending p = pending.remove(HexFormat.of().formatHex(r.surbId()));
    if (p == null) {
      dropped.incrementAndGet();
      return;
    }
    byte[] msg;
    try {
      msg = Sphinx.openReply(p.secret(), r);
    } catch (MixException e) {
      dropped.incrementAndGet();
      p.done().completeExceptionally(e);
      return;
    }
    if (msg.length != 2 + MixKeyRecord.LENGTH || (msg[0] & 0xff) != ANSWER || msg[1] != 1) {
      dropped.incrementAndGet();
      p.done().completeExceptionally(new MixKeyException(MixKeyException.Reason.MALFORMED));
      return;
    }
    try {
      accept(p.peer(), Arrays.copyOfRange(msg, 2, msg.length));
      fetched.incrementAndGet();
      p.done().complete(null);
    } catch (MixKeyException e) {
      p.done().completeExceptionally(e);
    }
  }

  /**
   * Marks every record for a refetch at the next refresh (a send through the mixnet was not
   * acknowledged: a peer may have restarted with a new key); records stay usable meanwhile.
   */
  void recheckAll() {
    stale = clock.millis();
  }

  /**
   * Returns how many records were refused for a reason.
   *
   * @param reason the reason
   * @return the count
   */
  long refused(MixKeyException.Reason reason) {
    return refused.get(reason).get();
  }

  /** @return key requests this node answered */
  long answered() {
    return answered.get();
  }

  /** @return records fetched and accepted */
  long fetched() {
    return fetched.get();
  }

  /** @return control packets dropped (replays, malformed requests, unknown answers) */
  long dropped() {
    return dropped.get();
  }

  /** @return peers whose records are known */
  int size() {
    return records.size();
  }

  /** @return the public half of this node's control key */
  byte[] controlPublic() {
    return controlPublic.clone();
  }

  /** Fails the fetches under way. */
  void close() {
    for (Pending p : pending.values()) {
      p.done().completeExceptionally(new IllegalStateException("closed"));
    }
    pending.clear();
  }

  static Duration refreshInterval(MixConfig c) {
    long g = Math.max(1000, c.keyGrace().toMillis() / 4);
    return Duration.ofMillis(Math.min(g, Math.max(1000, c.keyRotation().toMillis() / 4)));
  }

}
