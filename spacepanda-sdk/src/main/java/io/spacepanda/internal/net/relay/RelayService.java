package io.spacepanda.internal.net.relay;

import io.netty.buffer.ByteBuf;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.relay.CircuitMessages.Hop;
import io.spacepanda.internal.net.relay.CircuitMessages.Stop;
import io.spacepanda.internal.net.relay.RelayException.Status;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay side of circuit relay v2 (libp2p/specs relay/circuit-v2.md, "Hop Protocol" and "Stop
 * Protocol"): serves {@value RelayConstants#HOP_PROTOCOL_ID} on a {@link Host}.
 *
 * <p>Reservations: a peer connected directly (not itself relayed) may reserve a slot; the answer
 * carries the expiry ({@code reservationTtl} from now, UNIX seconds), the address the peer reached
 * the relay on and a {@link Voucher} signed by the relay. A reservation ends at its expiry, when
 * its connection closes, or when refreshed by a new one on another connection; at most {@code
 * maxReservations} are held, at most {@code maxReservationsPerIp} per IP address.
 *
 * <p>Connections: a CONNECT to a peer with a live reservation opens a stop stream to it and, once
 * accepted, splices the two streams; each direction is cut after {@code connectionData} bytes and
 * the circuit is reset after {@code connectionDuration}; at most {@code maxCircuits} circuits run,
 * at most {@code maxCircuitsPerPeer} per source or target. Between two members of a space this
 * relay belongs to ({@link #setMemberPredicate}) the member limits apply instead. What a relay sees: who connects to whom,
 * when, and how many bytes; the bytes themselves are Noise ciphertext between the two ends.
 *
 * <p>Thread-safe.
 */
public final class RelayService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

  /** A live reservation. */
  private record Slot(PeerId peer, Connection connection, long expireSeconds, String ip) {}

  private final Host host;
  private final IdentitySigner identity;
  private final RelayConfig config;
  private final Clock clock;
  private final Object lock = new Object();
  private final Map<PeerId, Slot> slots = new HashMap<>(); // guarded by lock
  private final Map<PeerId, Integer> circuitsPerPeer = new HashMap<>(); // guarded by lock
  private int circuits; // guarded by lock
  private final AtomicLong relayedBytes = new AtomicLong();
  private final AtomicLong circuitsOpened = new AtomicLong();
  private volatile boolean closed;
  private volatile Predicate<PeerId> members = p -> false;

  /**
   * Creates the service and registers the hop protocol on {@code host}.
   *
   * @param host the host that relays
   * @param identity the host's identity, which signs vouchers
   * @param config limits
   * @param clock wall clock of reservation expiries
   */
  public RelayService(Host host, IdentitySigner identity, RelayConfig config, Clock clock) {
    this.host = Objects.requireNonNull(host, "host");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (!host.peerId().equals(PeerId.fromBytes(identity.publicKey().peerIdMultihash()))) {
      throw new IllegalArgumentException("identity is not the host's");
    }
    host.setProtocolHandler(RelayConstants.HOP_PROTOCOL_ID, (c, s, p) -> {
      FramedStream fs = new FramedStream(s, RelayConstants.MAX_MESSAGE_BYTES);
      fs.read().whenComplete((body, err) -> onHop(c, fs, body, err));
      return fs;
    });
  }

  /**
   * Sets who counts as a member of a space this relay belongs to: a member that reserves is told the
   * member limits of {@link RelayConfig}, and a connection between two members gets them.
   *
   * @param members the test; by default nobody is a member
   */
  public void setMemberPredicate(Predicate<PeerId> members) {
    this.members = Objects.requireNonNull(members, "members");
  }

  /**
   * Returns the number of live reservations (expired ones are dropped first).
   *
   * @return the count
   */
  public int reservationCount() {
    synchronized (lock) {
      purgeExpired();
      return slots.size();
    }
  }

  /**
   * Returns whether {@code peer} holds a live reservation.
   *
   * @param peer the peer
   * @return whether it can be reached through this relay
   */
  public boolean hasReservation(PeerId peer) {
    synchronized (lock) {
      purgeExpired();
      return slots.containsKey(peer);
    }
  }

  /**
   * Returns the number of circuits running now.
   *
   * @return the count
   */
  public int activeCircuits() {
    synchronized (lock) {
      return circuits;
    }
  }

  /**
   * Returns how many circuits were spliced since start.
   *
   * @return the count
   */
  public long circuitsOpened() {
    return circuitsOpened.get();
  }

  /**
   * Returns how many bytes were relayed since start, both directions together.
   *
   * @return the count
   */
  public long relayedBytes() {
    return relayedBytes.get();
  }

  private long nowSeconds() {
    return clock.millis() / 1000;
  }

  private void purgeExpired() {
    long now = nowSeconds();
    slots.values().removeIf(s -> s.expireSeconds <= now || !s.connection.isOpen());
  }

  private void onHop(Connection c, FramedStream fs, byte[] body, Throwable err) {
    if (err != null) {
      LOG.debug("hop stream from {} failed", c.remotePeerId(), err);
      if (err instanceof RelayException r) {
        reply(fs, r.status(), null, null);
      }
      return;
    }
    Hop msg;
    try {
      msg = Hop.decode(body);
    } catch (RelayException e) {
      reply(fs, Status.MALFORMED_MESSAGE, null, null);
      return;
    }
    if (closed) {
      reply(fs, Status.RESOURCE_LIMIT_EXCEEDED, null, null);
    } else if (msg.type() == CircuitMessages.HOP_RESERVE) {
      reserve(c, fs);
    } else if (msg.type() == CircuitMessages.HOP_CONNECT) {
      connect(c, fs, msg);
    } else {
      reply(fs, Status.UNEXPECTED_MESSAGE, null, null);
    }
  }

  private static void reply(FramedStream fs, int status, CircuitMessages.Reservation r, CircuitMessages.Limit l) {
    fs.write(new Hop(CircuitMessages.HOP_STATUS, null, r, l, status).encode());
    fs.stream().closeWrite();
  }

  private void reserve(Connection c, FramedStream fs) {
    if (c.isRelayed()) {
      reply(fs, Status.PERMISSION_DENIED, null, null);
      return;
    }
    PeerId peer = c.remotePeerId();
    String ip = c.remoteAddress().tcpHostOrNull();
    long expire = nowSeconds() + config.reservationTtl().toSeconds();
    Slot slot = new Slot(peer, c, expire, ip);
    synchronized (lock) {
      purgeExpired();
      Slot old = slots.get(peer);
      int perIp = 0;
      for (Slot s : slots.values()) {
        if (Objects.equals(s.ip, ip) && !s.peer.equals(peer)) {
          perIp++;
        }
      }
      if (old == null && (slots.size() >= config.maxReservations() || perIp >= config.maxReservationsPerIp())) {
        reply(fs, Status.RESERVATION_REFUSED, null, null);
        return;
      }
      slots.put(peer, slot);
    }
    c.closeFuture().whenComplete((v, e) -> {
      synchronized (lock) {
        slots.remove(peer, slot);
      }
    });
    List<byte[]> addrs = new ArrayList<>();
    try {
      addrs.add(c.localAddress().withPeerId(host.peerId().bytes()).toBytes());
    } catch (MultiaddrException e) {
      throw new IllegalStateException("own peer id is a valid multihash", e);
    }
    for (Multiaddr m : host.fullListenAddresses()) {
      byte[] b = m.toBytes();
      if (addrs.stream().noneMatch(a -> java.util.Arrays.equals(a, b)) && addrs.size() < RelayConstants.MAX_ADDRS) {
        addrs.add(b);
      }
    }
    byte[] voucher = new Voucher(host.peerId().bytes(), peer.bytes(), expire).sign(identity);
    reply(fs, Status.OK, new CircuitMessages.Reservation(expire, addrs, voucher),
        config.limitOrNull(members.test(peer)));
    LOG.debug("reservation for {} until {}", peer, expire);
  }

  private void connect(Connection src, FramedStream fs, Hop msg) {
    if (src.isRelayed()) {
      reply(fs, Status.PERMISSION_DENIED, null, null);
      return;
    }
    if (msg.peer() == null) {
      reply(fs, Status.MALFORMED_MESSAGE, null, null);
      return;
    }
    PeerId target;
    try {
      Multiaddr.checkPeerIdMultihash(msg.peer().id());
      target = PeerId.fromBytes(msg.peer().id());
    } catch (MultiaddrException | RuntimeException e) {
      reply(fs, Status.MALFORMED_MESSAGE, null, null);
      return;
    }
    PeerId source = src.remotePeerId();
    Slot slot;
    synchronized (lock) {
      purgeExpired();
      slot = slots.get(target);
      if (slot == null) {
        reply(fs, Status.NO_RESERVATION, null, null);
        return;
      }
      if (circuits >= config.maxCircuits()
          || circuitsPerPeer.getOrDefault(source, 0) >= config.maxCircuitsPerPeer()
          || circuitsPerPeer.getOrDefault(target, 0) >= config.maxCircuitsPerPeer()) {
        reply(fs, Status.RESOURCE_LIMIT_EXCEEDED, null, null);
        return;
      }
      circuits++;
      circuitsPerPeer.merge(source, 1, Integer::sum);
      circuitsPerPeer.merge(target, 1, Integer::sum);
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        synchronized (lock) {
          circuits--;
          circuitsPerPeer.computeIfPresent(source, (k, v) -> v > 1 ? v - 1 : null);
          circuitsPerPeer.computeIfPresent(target, (k, v) -> v > 1 ? v - 1 : null);
        }
      }
    };
    boolean member = members.test(source) && members.test(target);
    CircuitMessages.Limit limit = config.limitOrNull(member);
    Duration duration = member ? config.memberConnectionDuration() : config.connectionDuration();
    long data = member ? config.memberConnectionData() : config.connectionData();
    FramedStream[] stop = new FramedStream[1];
    CompletableFuture<MuxedStream> opened = slot.connection.openStream(List.of(RelayConstants.STOP_PROTOCOL_ID),
        (c, s, p) -> stop[0] = new FramedStream(s, RelayConstants.MAX_MESSAGE_BYTES));
    opened.thenCompose(s -> {
      CompletableFuture<byte[]> answer = new CompletableFuture<>();
      s.executor().execute(() -> {
        stop[0].write(new Stop(CircuitMessages.STOP_CONNECT, new CircuitMessages.Peer(source.bytes(), List.of()),
            limit, 0).encode());
        stop[0].read().whenComplete((b, e) -> {
          if (e != null) {
            answer.completeExceptionally(e);
          } else {
            answer.complete(b);
          }
        });
      });
      return answer.orTimeout(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }).whenComplete((b, e) -> {
      int status = Status.CONNECTION_FAILED;
      if (e == null) {
        try {
          Stop answer = Stop.decode(b);
          if (answer.type() == CircuitMessages.STOP_STATUS && answer.status() == Status.OK) {
            status = Status.OK;
          }
        } catch (RelayException bad) {
          LOG.debug("bad stop answer from {}", target, bad);
        }
      }
      int st = status;
      fs.stream().executor().execute(() -> {
        if (st != Status.OK) {
          if (stop[0] != null) {
            stop[0].stream().reset();
          }
          release.run();
          reply(fs, st, null, null);
          return;
        }
        fs.write(new Hop(CircuitMessages.HOP_STATUS, null, null, limit, Status.OK).encode());
        splice(fs, stop[0], release, duration, data);
      });
    });
  }

  /** Joins the source's hop stream and the target's stop stream under the connection limits. */
  private void splice(FramedStream srcFs, FramedStream dstFs, Runnable release, Duration duration, long data) {
    MuxedStream a = srcFs.stream();
    MuxedStream b = dstFs.stream();
    circuitsOpened.incrementAndGet();
    Runnable resetBoth = () -> {
      a.reset();
      b.reset();
    };
    CompletableFuture.allOf(a.closeFuture().exceptionally(t -> null), b.closeFuture().exceptionally(t -> null))
        .whenComplete((v, e) -> release.run());
    if (!duration.isZero()) {
      io.netty.util.concurrent.ScheduledFuture<?> t = a.executor().schedule(resetBoth,
          duration.toMillis(), TimeUnit.MILLISECONDS);
      CompletableFuture.allOf(a.closeFuture().exceptionally(x -> null), b.closeFuture().exceptionally(x -> null))
          .whenComplete((v, e) -> t.cancel(false));
    }
    Pipe ab = new Pipe(b, resetBoth, data);
    Pipe ba = new Pipe(a, resetBoth, data);
    ByteBuf restA = srcFs.takeLeftover();
    boolean aClosed = srcFs.remoteClosed();
    a.setHandler(ab);
    forwardLeftover(ab, a, restA, aClosed);
    // b's FramedStream runs on b's event loop; hand its leftover over there.
    b.executor().execute(() -> {
      ByteBuf restB = dstFs.takeLeftover();
      boolean bClosed = dstFs.remoteClosed();
      b.setHandler(ba);
      forwardLeftover(ba, b, restB, bClosed);
    });
  }

  private static void forwardLeftover(Pipe pipe, MuxedStream from, ByteBuf rest, boolean closed) {
    if (rest.isReadable()) {
      pipe.forward(from, rest, false);
    } else {
      rest.release();
    }
    if (closed) {
      pipe.onRemoteClose(from);
    }
  }

  /** Forwards one direction of a circuit, counting bytes against the data limit. */
  private final class Pipe implements StreamHandler {
    private final MuxedStream to;
    private final Runnable resetBoth;
    private final long max;
    private long forwarded;

    Pipe(MuxedStream to, Runnable resetBoth, long max) {
      this.to = to;
      this.resetBoth = resetBoth;
      this.max = max;
    }

    @Override
    public void onData(MuxedStream from, ByteBuf data) {
      forward(from, data, true);
    }

    void forward(MuxedStream from, ByteBuf data, boolean consume) {
      int n = data.readableBytes();
      boolean cut = max > 0 && forwarded + n > max;
      ByteBuf out = data;
      if (cut) {
        int allowed = (int) (max - forwarded);
        out = data.readRetainedSlice(allowed);
        data.release();
      }
      forwarded += out.readableBytes();
      relayedBytes.addAndGet(out.readableBytes());
      if (out.isReadable()) {
        to.write(out).whenComplete((v, e) -> {
          if (consume) {
            from.consumed(n);
          }
        });
      } else {
        out.release();
      }
      if (cut) {
        LOG.debug("relayed connection reached its data limit of {} bytes", max);
        to.closeWrite().whenComplete((v, e) -> resetBoth.run());
      }
    }

    @Override
    public void onRemoteClose(MuxedStream from) {
      to.closeWrite();
    }

    @Override
    public void onReset(MuxedStream from, StreamException cause) {
      to.reset();
    }
  }

  /** Stops serving the hop protocol; running circuits go on until their limits. */
  @Override
  public void close() {
    closed = true;
    host.removeProtocolHandler(RelayConstants.HOP_PROTOCOL_ID);
  }
}
