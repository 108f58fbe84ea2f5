package io.spacepanda.internal.net.host;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.ResourceLimitException.Scope;
import io.spacepanda.internal.net.stream.MuxedStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The host's resource manager, after go-libp2p's {@code rcmgr} (issue 14): every upgraded
 * connection and every negotiated stream is accounted in nested scopes (system, protocol, peer,
 * connection, stream), each with its own limits, so that one peer, one protocol or one connection
 * cannot take what the others need.
 *
 * <p>Use. The {@link Host} opens a {@link ConnectionScope} for each upgraded connection and a
 * {@link StreamScope} for each negotiated stream before its protocol handler sees it; a stream
 * refused by a limit is reset and counted ({@link #refusedStreams(String)}). A protocol registers
 * its limits once ({@link #setProtocolLimits}) and, in its handler, finds the stream's scope with
 * {@link #scopeOf(MuxedStream)} to reserve memory for what a peer announced before buffering it:
 * <pre>{@code
 * ResourceManager.StreamScope scope = resources.scopeOf(stream);
 * if (!scope.reserveMemory(announcedLength)) { stream.reset(); return; }  // refused
 * ... on every chunk: scope.progress();   once complete: scope.received();
 * }</pre>
 *
 * <p>Memory. A reservation must fit the stream's, connection's, peer's and protocol's limits, or it
 * is refused. When it does not fit the node-wide budget, the peer holding most gives way: its
 * oldest stream still waiting for announced bytes is evicted (its memory freed, the stream reset)
 * as long as that peer holds more than the requester would after the reservation; otherwise the
 * requester is refused. So peers that announce much and stall only crowd out themselves.
 *
 * <p>Stalls. A stream that reserved memory and then receives nothing for {@link
 * ResourceLimits#stallTimeout()} is reset by {@link #sweepStalls()}, which the host runs
 * periodically; its deadline is measured with the injected ticker, so tests drive it with a
 * virtual clock. A stall holds only its own stream: every other stream, of this peer or another,
 * goes on.
 *
 * <p>Threading: thread-safe, one lock; reset callbacks run after it is released, on the calling
 * thread (a stream's reset is itself thread-safe).
 */
public final class ResourceManager {

  /** Which side opened a connection or stream. */
  public enum Direction {
    /** The remote peer opened it. */
    INBOUND,
    /** This node opened it. */
    OUTBOUND
  }

  /** Counters and current use, for tests, metrics and the README's numbers. */
  public record Stats(long memory, int connections, int streams, long refusedStreams,
      long refusedConnections, long refusedReservations, long evictedStreams, long stalledStreams,
      long refusedUnnegotiated, long penalties) {}

  /**
   * Inbound streams of one peer refused within {@link #REFUSAL_WINDOW_NANOS} after which its
   * further streams are refused before negotiation, for {@link #PENALTY_NANOS}.
   */
  public static final int REFUSALS_BEFORE_PENALTY = 64;
  /** The window in which refusals are counted towards a penalty: 1 s. */
  public static final long REFUSAL_WINDOW_NANOS = 1_000_000_000L;
  /** How long a penalized peer's new streams are refused unnegotiated: 2 s from the last one. */
  public static final long PENALTY_NANOS = 2_000_000_000L;

  private final ResourceLimits limits;
  private final LongSupplier ticker;
  private final Map<String, ProtocolLimits> protocolLimits = new ConcurrentHashMap<>();
  private final Map<MuxedStream, StreamScope> byStream = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> refusedByProtocol = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final Map<PeerId, PeerUse> peers = new HashMap<>(); // guarded by lock
  private final Map<String, ProtocolUse> protocols = new HashMap<>(); // guarded by lock
  private final Set<StreamScope> waiting = new LinkedHashSet<>(); // guarded by lock
  private long memory; // guarded by lock
  private int connections; // guarded by lock
  private int streams; // guarded by lock
  private long refusedStreams; // guarded by lock
  private long refusedConnections; // guarded by lock
  private long refusedReservations; // guarded by lock
  private long evicted; // guarded by lock
  private long stalled; // guarded by lock
  private final LongAdder refusedUnnegotiated = new LongAdder();
  private long penaltiesStarted; // guarded by lock
  /** Peers penalized now (or lately: expired entries are removed when next looked at). */
  private final Map<PeerId, Penalty> penalties = new ConcurrentHashMap<>();
  /** Most peers penalized at once; beyond, a new offender is not penalized (only refused). */
  static final int MAX_PENALIZED = 4096;

  private ResourceManager(ResourceLimits limits, LongSupplier ticker) {
    this.limits = limits;
    this.ticker = ticker;
  }

  /**
   * Creates a resource manager measuring stalls with {@link System#nanoTime()}.
   *
   * @param limits the bounds
   * @return the manager
   */
  public static ResourceManager create(ResourceLimits limits) {
    return create(limits, System::nanoTime);
  }

  /**
   * Creates a resource manager.
   *
   * @param limits the bounds
   * @param nanoTicker the clock of stall deadlines, in nanoseconds (a virtual one in tests)
   * @return the manager
   */
  public static ResourceManager create(ResourceLimits limits, LongSupplier nanoTicker) {
    return new ResourceManager(Objects.requireNonNull(limits, "limits"),
        Objects.requireNonNull(nanoTicker, "nanoTicker"));
  }

  /**
   * Returns the bounds.
   *
   * @return the limits
   */
  public ResourceLimits limits() {
    return limits;
  }

  /**
   * Sets the limits of one protocol; streams already open keep counting.
   *
   * @param protocol the protocol id
   * @param protocolLimits its limits
   */
  public void setProtocolLimits(String protocol, ProtocolLimits protocolLimits) {
    this.protocolLimits.put(Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(protocolLimits, "protocolLimits"));
  }

  /**
   * Returns the limits of one protocol.
   *
   * @param protocol the protocol id
   * @return the registered limits, or the default ones
   */
  public ProtocolLimits protocolLimits(String protocol) {
    return protocolLimits.getOrDefault(protocol, limits.defaultProtocol());
  }

  // ---- connections ------------------------------------------------------------------------

  /**
   * Accounts an upgraded connection.
   *
   * @param peer the remote peer
   * @param direction who dialed
   * @return the connection's scope, to close when the connection closes
   * @throws ResourceLimitException if the peer already has {@code maxConnectionsPerPeer}
   */
  public ConnectionScope openConnection(PeerId peer, Direction direction) throws ResourceLimitException {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(direction, "direction");
    synchronized (lock) {
      PeerUse p = peers.computeIfAbsent(peer, k -> new PeerUse());
      if (p.connections >= limits.maxConnectionsPerPeer()) {
        refusedConnections++;
        p.dropIfUnused(peers, peer);
        throw new ResourceLimitException(Scope.PEER, "too many connections with one peer");
      }
      p.connections++;
      connections++;
      return new ConnectionScope(peer, direction);
    }
  }

  /** One connection's share of the resources. */
  public final class ConnectionScope {
    private final PeerId peer;
    private final Direction direction;
    private long memory; // guarded by the manager's lock
    private boolean closed; // guarded by the manager's lock

    private ConnectionScope(PeerId peer, Direction direction) {
      this.peer = peer;
      this.direction = direction;
    }

    /**
     * Returns the remote peer.
     *
     * @return the peer
     */
    public PeerId peer() {
      return peer;
    }

    /**
     * Returns who dialed.
     *
     * @return the direction
     */
    public Direction direction() {
      return direction;
    }

    /**
     * Returns the bytes this connection's streams reserve now.
     *
     * @return the bytes
     */
    public long memory() {
      synchronized (lock) {
        return memory;
      }
    }

    /** Releases the connection's slot; idempotent. Its streams release theirs as they close. */
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        connections--;
        PeerUse p = peers.get(peer);
        if (p != null) {
          p.connections--;
          p.dropIfUnused(peers, peer);
        }
      }
    }
  }

  // ---- streams ----------------------------------------------------------------------------

  /**
   * Accounts a negotiated stream.
   *
   * @param connection the connection's scope
   * @param stream the stream, to find its scope with {@link #scopeOf} (and reset on stall or
   *     eviction)
   * @param protocol the negotiated protocol id
   * @param direction who opened the stream; only inbound streams count against stream limits
   * @return the stream's scope; the host closes it when the stream closes
   * @throws ResourceLimitException if an inbound stream exceeds the peer's or the protocol's limits
   */
  public StreamScope openStream(ConnectionScope connection, MuxedStream stream, String protocol,
      Direction direction) throws ResourceLimitException {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(direction, "direction");
    ProtocolLimits pl = protocolLimits(protocol);
    StreamScope s;
    synchronized (lock) {
      PeerUse p = peers.computeIfAbsent(connection.peer, k -> new PeerUse());
      ProtocolUse u = protocols.computeIfAbsent(protocol, k -> new ProtocolUse());
      if (direction == Direction.INBOUND) {
        String refusal = null;
        Scope scope = null;
        if (p.inboundStreams >= limits.maxInboundStreamsPerPeer()) {
          refusal = "too many inbound streams of one peer";
          scope = Scope.PEER;
        } else if (u.inboundStreams >= pl.maxInboundStreams()) {
          refusal = "too many inbound streams of protocol " + protocol;
          scope = Scope.PROTOCOL;
        } else if (u.perPeer.getOrDefault(connection.peer, 0) >= pl.maxInboundStreamsPerPeer()) {
          refusal = "too many inbound streams of protocol " + protocol + " from one peer";
          scope = Scope.PROTOCOL;
        }
        if (refusal != null) {
          refusedStreams++;
          refusedByProtocol.computeIfAbsent(protocol, k -> new LongAdder()).increment();
          countRefusalLocked(connection.peer, p);
          p.dropIfUnused(peers, connection.peer);
          u.dropIfUnused(protocols, protocol);
          throw new ResourceLimitException(scope, refusal);
        }
        p.inboundStreams++;
        u.inboundStreams++;
        u.perPeer.merge(connection.peer, 1, Integer::sum);
      }
      streams++;
      u.streams++;
      s = new StreamScope(connection, stream, protocol, direction);
    }
    byStream.put(stream, s);
    return s;
  }

  /**
   * Decides, before any protocol is negotiated, whether a new inbound stream of a connection is
   * refused at once (issue 14): when its peer already holds {@link
   * ResourceLimits#maxInboundStreamsPerPeer()} inbound streams (every protocol would refuse it),
   * or when the peer is penalized because {@link #REFUSALS_BEFORE_PENALTY} of its streams were
   * refused within {@link #REFUSAL_WINDOW_NANOS}. Such a stream costs the node one reset instead
   * of a multistream negotiation, two writes and a reset, so a peer that keeps opening streams
   * beyond its limits mostly slows itself. A refusal here counts too, so a peer that goes on stays
   * penalized; one that stops is admitted again {@link #PENALTY_NANOS} after its last refusal. A
   * peer whose streams are admitted is never penalized.
   *
   * @param connection the connection's scope
   * @return true to reset the stream unnegotiated
   */
  public boolean refuseUnnegotiated(ConnectionScope connection) {
    Objects.requireNonNull(connection, "connection");
    long now = ticker.getAsLong();
    // the penalized path takes no lock: the attacker's streams do not contend with good peers'
    // reservations for the manager's lock
    Penalty pen = penalties.get(connection.peer);
    if (pen != null) {
      if (now - pen.ends < 0) {
        pen.ends = now + PENALTY_NANOS; // still going on: stays penalized
        refusedUnnegotiated.increment();
        return true;
      }
      penalties.remove(connection.peer, pen);
    }
    synchronized (lock) {
      PeerUse p = peers.get(connection.peer);
      if (p == null || p.inboundStreams < limits.maxInboundStreamsPerPeer()) {
        return false;
      }
      refusedUnnegotiated.increment();
      countRefusalLocked(connection.peer, p);
      return true;
    }
  }

  /** Counts one refused stream of a peer towards a penalty; holds the lock. */
  private void countRefusalLocked(PeerId peer, PeerUse p) {
    long now = ticker.getAsLong();
    Penalty pen = penalties.get(peer);
    if (pen != null && now - pen.ends < 0) {
      pen.ends = now + PENALTY_NANOS;
      return;
    }
    if (p.refusals == 0 || now - p.windowStart > REFUSAL_WINDOW_NANOS) {
      p.windowStart = now;
      p.refusals = 0;
    }
    if (++p.refusals >= REFUSALS_BEFORE_PENALTY) {
      p.refusals = 0;
      penaltiesStarted++;
      if (penalties.size() >= MAX_PENALIZED) {
        penalties.values().removeIf(old -> now - old.ends >= 0);
      }
      if (penalties.size() < MAX_PENALIZED) {
        penalties.put(peer, new Penalty(now + PENALTY_NANOS));
      }
    }
  }

  /**
   * Returns whether a peer's new inbound streams are refused unnegotiated now.
   *
   * @param peer the peer
   * @return true while it is penalized
   */
  public boolean penalized(PeerId peer) {
    Penalty pen = penalties.get(peer);
    return pen != null && ticker.getAsLong() - pen.ends < 0;
  }

  /** When one peer's penalty ends; written racily by the threads refusing its streams. */
  private static final class Penalty {
    volatile long ends;

    Penalty(long ends) {
      this.ends = ends;
    }
  }

  /**
   * Returns the scope of a stream the host negotiated.
   *
   * @param stream the stream
   * @return its scope, or null once it closed (or for a stream the host did not account)
   */
  public StreamScope scopeOf(MuxedStream stream) {
    return byStream.get(stream);
  }

  /**
   * Returns how many inbound streams of a protocol were refused by a limit.
   *
   * @param protocol the protocol id
   * @return the count since creation
   */
  public long refusedStreams(String protocol) {
    LongAdder a = refusedByProtocol.get(protocol);
    return a == null ? 0 : a.sum();
  }

  /** One stream's share of the resources. */
  public final class StreamScope {
    private final ConnectionScope connection;
    private final MuxedStream stream;
    private final String protocol;
    private final Direction direction;
    private long memory; // guarded by the manager's lock
    private long lastProgress; // guarded by the manager's lock
    private boolean closed; // guarded by the manager's lock
    private volatile Runnable abort;

    private StreamScope(ConnectionScope connection, MuxedStream stream, String protocol, Direction direction) {
      this.connection = connection;
      this.stream = stream;
      this.protocol = protocol;
      this.direction = direction;
    }

    /**
     * Returns the stream's remote peer.
     *
     * @return the peer
     */
    public PeerId peer() {
      return connection.peer;
    }

    /**
     * Returns the negotiated protocol.
     *
     * @return the protocol id
     */
    public String protocol() {
      return protocol;
    }

    /**
     * Returns who opened the stream.
     *
     * @return the direction
     */
    public Direction direction() {
      return direction;
    }

    /**
     * Returns the bytes this stream reserves now.
     *
     * @return the bytes
     */
    public long memory() {
      synchronized (lock) {
        return memory;
      }
    }

    /**
     * Sets what ends the stream when it stalls or is evicted for a peer holding less; by default
     * the stream is reset. A protocol sets its own to count the reset or to spare a stream whose
     * data is complete.
     *
     * @param action run on the thread that found the stall or eviction, without the lock held
     */
    public void onAbort(Runnable action) {
      this.abort = Objects.requireNonNull(action, "action");
    }

    private void abort() {
      Runnable a = abort;
      if (a != null) {
        a.run();
      } else {
        stream.reset();
      }
    }

    /**
     * Checks a message length a peer announced on this stream against its protocol's bound, before
     * reading it.
     *
     * @param length the announced length in bytes
     * @throws ResourceLimitException if it exceeds the protocol's {@link
     *     ProtocolLimits#maxMessageBytes()} (the caller resets the stream)
     */
    public void checkMessage(long length) throws ResourceLimitException {
      if (length > protocolLimits(protocol).maxMessageBytes()) {
        synchronized (lock) {
          refusedReservations++;
        }
        throw new ResourceLimitException(Scope.PROTOCOL, "message of " + length
            + " bytes exceeds the bound of " + protocol);
      }
    }

    /**
     * Reserves memory for bytes the peer announced, before buffering them, and starts the stream's
     * no-progress deadline. When the node-wide budget is short, the peer holding most gives way.
     *
     * @param bytes positive
     * @return true if reserved; false if a limit refused (the caller resets the stream)
     */
    public boolean reserveMemory(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("bytes must be positive: " + bytes);
      }
      List<StreamScope> victims = new ArrayList<>();
      boolean ok;
      synchronized (lock) {
        ok = reserveLocked(this, bytes, victims);
        if (ok) {
          lastProgress = ticker.getAsLong();
          waiting.add(this);
        }
      }
      for (StreamScope v : victims) {
        v.abort();
      }
      return ok;
    }

    /**
     * Releases memory reserved earlier (at most what is reserved).
     *
     * @param bytes not negative
     */
    public void releaseMemory(long bytes) {
      synchronized (lock) {
        releaseLocked(this, Math.min(bytes, memory));
        if (memory == 0) {
          waiting.remove(this);
        }
      }
    }

    /** Records that announced bytes arrived: restarts the no-progress deadline. */
    public void progress() {
      synchronized (lock) {
        lastProgress = ticker.getAsLong();
      }
    }

    /**
     * Records that everything announced arrived: the stream keeps its memory until it closes but
     * is no longer watched for stalls nor evicted.
     */
    public void received() {
      synchronized (lock) {
        waiting.remove(this);
      }
    }

    /** Releases everything this stream holds; idempotent. The host calls it when the stream closes. */
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        waiting.remove(this);
        releaseLocked(this, memory);
        streams--;
        ProtocolUse u = protocols.get(protocol);
        PeerUse p = peers.get(connection.peer);
        if (direction == Direction.INBOUND) {
          if (p != null) {
            p.inboundStreams--;
          }
          if (u != null) {
            u.inboundStreams--;
            u.perPeer.computeIfPresent(connection.peer, (k, n) -> n <= 1 ? null : n - 1);
          }
        }
        if (u != null) {
          u.streams--;
          u.dropIfUnused(protocols, protocol);
        }
        if (p != null) {
          p.dropIfUnused(peers, connection.peer);
        }
      }
      byStream.remove(stream, this);
    }
  }

  private boolean reserveLocked(StreamScope s, long bytes, List<StreamScope> victims) {
    if (s.closed) {
      return false;
    }
    ProtocolLimits pl = protocolLimits(s.protocol);
    PeerUse p = peers.computeIfAbsent(s.connection.peer, k -> new PeerUse());
    ProtocolUse u = protocols.computeIfAbsent(s.protocol, k -> new ProtocolUse());
    if (s.memory + bytes > limits.maxMemoryPerStream()
        || s.memory + bytes > pl.maxMemoryPerStream()
        || s.connection.memory + bytes > limits.maxMemoryPerConnection()
        || p.memory + bytes > limits.maxMemoryPerPeer()
        || u.memory + bytes > pl.maxMemory()
        || bytes > limits.maxMemory()) {
      refusedReservations++;
      return false;
    }
    long mine = p.memory + bytes;
    while (memory + bytes > limits.maxMemory()) {
      PeerId largest = null;
      long most = mine;
      for (Map.Entry<PeerId, PeerUse> e : peers.entrySet()) {
        if (!e.getKey().equals(s.connection.peer) && e.getValue().memory > most
            && !e.getValue().holders.isEmpty()) {
          largest = e.getKey();
          most = e.getValue().memory;
        }
      }
      if (largest == null) {
        refusedReservations++;
        return false;
      }
      StreamScope victim = peers.get(largest).holders.peekFirst();
      waiting.remove(victim);
      releaseLocked(victim, victim.memory);
      evicted++;
      victims.add(victim);
    }
    s.memory += bytes;
    s.connection.memory += bytes;
    if (!p.holders.contains(s)) {
      p.holders.addLast(s);
    }
    p.memory += bytes;
    u.memory += bytes;
    memory += bytes;
    return true;
  }

  private void releaseLocked(StreamScope s, long bytes) {
    if (bytes <= 0) {
      return;
    }
    s.memory -= bytes;
    s.connection.memory -= bytes;
    memory -= bytes;
    PeerUse p = peers.get(s.connection.peer);
    if (p != null) {
      p.memory -= bytes;
      if (s.memory == 0) {
        p.holders.remove(s);
      }
    }
    ProtocolUse u = protocols.get(s.protocol);
    if (u != null) {
      u.memory -= bytes;
    }
  }

  // ---- messages of protocols carried in envelopes -----------------------------------------

  /**
   * Admits one inbound message of a protocol carried inside envelopes rather than on streams of
   * its own (mailbox deposits, sync messages): it must fit the protocol's message bound, and while
   * it is handled it counts as an inbound stream of its sender (so {@link
   * ProtocolLimits#maxInboundStreamsPerPeer()} bounds one peer's messages in flight) and holds its
   * length in memory against the protocol's, the peer's and the node-wide budgets (no eviction).
   *
   * @param peer the peer that delivered it (the connection peer: envelopes are sealed-sender)
   * @param protocol the protocol id
   * @param bytes its length
   * @return what to close once the message is handled
   * @throws ResourceLimitException if a limit refuses it; nothing is held then
   */
  public MessageScope admitMessage(PeerId peer, String protocol, long bytes)
      throws ResourceLimitException {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(protocol, "protocol");
    long held = Math.max(0, bytes);
    ProtocolLimits pl = protocolLimits(protocol);
    synchronized (lock) {
      PeerUse p = peers.computeIfAbsent(peer, k -> new PeerUse());
      ProtocolUse u = protocols.computeIfAbsent(protocol, k -> new ProtocolUse());
      String refusal = null;
      Scope scope = Scope.PROTOCOL;
      if (held > pl.maxMessageBytes() || held > pl.maxMemoryPerStream()) {
        refusal = "message of " + held + " bytes exceeds the bound of " + protocol;
      } else if (p.inboundStreams >= limits.maxInboundStreamsPerPeer()) {
        refusal = "too many inbound streams and messages of one peer";
        scope = Scope.PEER;
      } else if (u.perPeer.getOrDefault(peer, 0) >= pl.maxInboundStreamsPerPeer()) {
        refusal = "too many messages of protocol " + protocol + " from one peer in flight";
      } else if (u.inboundStreams >= pl.maxInboundStreams()) {
        refusal = "too many messages of protocol " + protocol + " in flight";
      } else if (u.memory + held > pl.maxMemory()) {
        refusal = "protocol " + protocol + " holds its memory budget";
      } else if (p.memory + held > limits.maxMemoryPerPeer()) {
        refusal = "peer holds its memory budget";
        scope = Scope.PEER;
      } else if (memory + held > limits.maxMemory()) {
        refusal = "node-wide memory budget exhausted";
        scope = Scope.SYSTEM;
      }
      if (refusal != null) {
        refusedStreams++;
        refusedByProtocol.computeIfAbsent(protocol, k -> new LongAdder()).increment();
        p.dropIfUnused(peers, peer);
        u.dropIfUnused(protocols, protocol);
        throw new ResourceLimitException(scope, refusal);
      }
      u.inboundStreams++;
      u.streams++;
      u.perPeer.merge(peer, 1, Integer::sum);
      u.memory += held;
      p.inboundStreams++;
      p.memory += held;
      memory += held;
      streams++;
      return new MessageScope(peer, protocol, held);
    }
  }

  /** One admitted message's share of the resources; {@link #close()} it once handled. */
  public final class MessageScope implements AutoCloseable {
    private final PeerId peer;
    private final String protocol;
    private final long held;
    private boolean closed; // guarded by the manager's lock

    private MessageScope(PeerId peer, String protocol, long held) {
      this.peer = peer;
      this.protocol = protocol;
      this.held = held;
    }

    /** Releases the message's slot and memory; idempotent. */
    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        memory -= held;
        streams--;
        ProtocolUse u = protocols.get(protocol);
        if (u != null) {
          u.inboundStreams--;
          u.streams--;
          u.memory -= held;
          u.perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
          u.dropIfUnused(protocols, protocol);
        }
        PeerUse p = peers.get(peer);
        if (p != null) {
          p.inboundStreams--;
          p.memory -= held;
          p.dropIfUnused(peers, peer);
        }
      }
    }
  }

  // ---- stalls -----------------------------------------------------------------------------

  /**
   * Resets every stream that reserved memory for announced bytes and has received none for the
   * stall deadline; the host calls this periodically.
   *
   * @return how many streams were reset
   */
  public int sweepStalls() {
    List<StreamScope> stale = new ArrayList<>();
    synchronized (lock) {
      long now = ticker.getAsLong();
      long deadline = limits.stallTimeout().toNanos();
      for (StreamScope s : waiting) {
        if (now - s.lastProgress >= deadline) {
          stale.add(s);
        }
      }
      for (StreamScope s : stale) {
        waiting.remove(s);
        releaseLocked(s, s.memory);
        stalled++;
      }
    }
    for (StreamScope s : stale) {
      s.abort();
    }
    return stale.size();
  }

  /**
   * Returns current use and counters.
   *
   * @return a snapshot
   */
  public Stats stats() {
    synchronized (lock) {
      return new Stats(memory, connections, streams, refusedStreams + refusedUnnegotiated.sum(),
          refusedConnections,
          refusedReservations, evicted, stalled, refusedUnnegotiated.sum(), penaltiesStarted);
    }
  }

  /** Returns the bytes reserved now, node-wide. */
  public long memory() {
    synchronized (lock) {
      return memory;
    }
  }

  /** What one peer uses; guarded by the manager's lock. */
  private static final class PeerUse {
    int connections;
    int inboundStreams;
    long memory;
    /** Streams holding memory, oldest reservation first: the order of eviction. */
    final ArrayDeque<StreamScope> holders = new ArrayDeque<>();
    /** Refused inbound streams since {@link #windowStart}. */
    int refusals;
    long windowStart;

    void dropIfUnused(Map<PeerId, PeerUse> map, PeerId key) {
      if (connections == 0 && inboundStreams == 0 && memory == 0 && holders.isEmpty()) {
        map.remove(key, this);
      }
    }
  }

  /** What one protocol uses; guarded by the manager's lock. */
  private static final class ProtocolUse {
    int streams;
    int inboundStreams;
    long memory;
    final Map<PeerId, Integer> perPeer = new HashMap<>();

    void dropIfUnused(Map<String, ProtocolUse> map, String key) {
      if (streams == 0 && inboundStreams == 0 && memory == 0) {
        map.remove(key, this);
      }
    }
  }
}
