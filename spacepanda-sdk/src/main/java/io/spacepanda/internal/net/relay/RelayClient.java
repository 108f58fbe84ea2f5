package io.spacepanda.internal.net.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionException;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.MultiaddrSocketAddress;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.multiaddr.Protocol;
import io.spacepanda.internal.net.relay.CircuitMessages.Hop;
import io.spacepanda.internal.net.relay.CircuitMessages.Stop;
import io.spacepanda.internal.net.relay.RelayException.Status;
import io.spacepanda.internal.net.stream.MuxedStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of circuit relay v2 (libp2p/specs relay/circuit-v2.md): reserves slots on
 * relays, accepts relayed connections on {@value RelayConstants#STOP_PROTOCOL_ID} from relays it
 * holds a reservation with, and dials {@code …/p2p/<relay>/p2p-circuit/p2p/<peer>} addresses for
 * {@link Host#dial}. A relayed connection is upgraded with Noise and Yamux over the relayed stream
 * exactly as a TCP connection, so the relay only sees ciphertext.
 *
 * <p>Each reservation adds {@code <address the relay was reached on>/p2p/<relay>/p2p-circuit} to
 * the host's advertised addresses (identify) until it expires or its connection closes; {@link
 * #keepReservation} renews it before expiry and reconnects with backoff when the relay goes away.
 *
 * <p>Thread-safe. Renewals and expiries run on one timer thread, stopped by {@link #close()}.
 */
public final class RelayClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayClient.class);

  /** A reservation held on a relay. */
  public record Held(PeerId relay, Connection connection, long expireSeconds, Multiaddr circuitAddress,
      CircuitMessages.Limit limitOrNull) {}

  private final Host host;
  private final Clock clock;
  private final Duration timeout;
  private final Map<PeerId, Held> held = new ConcurrentHashMap<>();
  private final Map<Multiaddr, Boolean> kept = new ConcurrentHashMap<>();
  private final java.util.concurrent.ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;
  private volatile java.util.function.BiConsumer<Held, Boolean> listener = (h, up) -> {};

  /**
   * Creates the client: registers the stop protocol and the circuit dialer on {@code host}.
   *
   * @param host the host
   * @param clock wall clock to judge expiries
   * @param timeout how long the relay may take to answer
   */
  public RelayClient(Host host, Clock clock, Duration timeout) {
    this.host = Objects.requireNonNull(host, "host");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "spacepanda-relay-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    host.setProtocolHandler(RelayConstants.STOP_PROTOCOL_ID, (c, s, p) -> {
      FramedStream fs = new FramedStream(s, RelayConstants.MAX_MESSAGE_BYTES);
      fs.read().whenComplete((body, err) -> onStop(c, fs, body, err));
      return fs;
    });
    host.setCircuitDialer(this::dial);
  }

  /**
   * Sets what to call when a reservation is made ({@code true}) or ends ({@code false}); called on
   * network or timer threads, it must not block.
   *
   * @param listener the callback; by default nothing
   */
  public void setReservationListener(java.util.function.BiConsumer<Held, Boolean> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  private void tell(Held h, boolean up) {
    try {
      listener.accept(h, up);
    } catch (RuntimeException e) {
      LOG.debug("reservation listener failed", e);
    }
  }

  /**
   * Returns the reservations held now.
   *
   * @return a snapshot
   */
  public List<Held> reservations() {
    return List.copyOf(held.values());
  }

  /**
   * Reserves a slot on the relay at the other end of {@code relay}.
   *
   * @param relay a direct connection to the relay
   * @return completes with the reservation, or fails with {@link RelayException} (the relay's
   *     refusal, a bad voucher, a malformed answer) or a stream failure
   */
  public CompletableFuture<Held> reserve(Connection relay) {
    FramedStream[] fs = new FramedStream[1];
    return relay.openStream(List.of(RelayConstants.HOP_PROTOCOL_ID),
            (c, s, p) -> fs[0] = new FramedStream(s, RelayConstants.MAX_MESSAGE_BYTES))
        .thenCompose(s -> exchange(fs[0], new Hop(CircuitMessages.HOP_RESERVE, null, null, null, 0).encode()))
        .thenApply(body -> {
          try {
            return accept(relay, Hop.decode(body));
          } catch (RelayException e) {
            throw new CompletionException(e);
          }
        });
  }

  private CompletableFuture<byte[]> exchange(FramedStream fs, byte[] request) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    fs.stream().executor().execute(() -> {
      fs.write(request);
      fs.read().whenComplete((b, e) -> {
        if (e != null) {
          answer.completeExceptionally(e);
        } else {
          answer.complete(b);
        }
      });
    });
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Held accept(Connection relay, Hop answer) throws RelayException {
    if (answer.type() != CircuitMessages.HOP_STATUS) {
      throw new RelayException(Status.UNEXPECTED_MESSAGE, "relay answered a reservation with type " + answer.type());
    }
    if (answer.status() != Status.OK) {
      throw new RelayException(answer.status(), "relay refused the reservation");
    }
    if (answer.reservation() == null) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "reservation missing");
    }
    long expire = answer.reservation().expire();
    if (expire <= clock.millis() / 1000) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "reservation already expired");
    }
    byte[] voucher = answer.reservation().voucher();
    if (voucher.length > 0) {
      Voucher v = Voucher.open(voucher);
      if (!Arrays.equals(v.relay(), relay.remotePeerId().bytes()) || !Arrays.equals(v.peer(), host.peerId().bytes())) {
        throw new RelayException(Status.MALFORMED_MESSAGE, "voucher names other peers");
      }
    }
    PeerId relayId = relay.remotePeerId();
    Multiaddr circuit;
    try {
      circuit = circuitBase(relay.remoteAddress().withPeerId(relayId.bytes()));
    } catch (MultiaddrException e) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "relay address too long", e);
    }
    Held h = new Held(relayId, relay, expire, circuit, answer.limit());
    Held old = held.put(relayId, h);
    if (old != null && !old.circuitAddress.equals(circuit)) {
      host.removeAdvertisedAddress(old.circuitAddress);
    }
    host.addAdvertisedAddress(circuit);
    relay.closeFuture().whenComplete((v, e) -> drop(h));
    long delay = Math.max(1, expire - clock.millis() / 1000) * 1000;
    later(() -> {
      if (held.get(relayId) == h) {
        drop(h);
      }
    }, delay);
    LOG.debug("reserved a slot on {} until {}", relayId, expire);
    tell(h, true);
    return h;
  }

  private void drop(Held h) {
    if (held.remove(h.relay, h)) {
      host.removeAdvertisedAddress(h.circuitAddress);
      tell(h, false);
    }
  }

  private static Multiaddr circuitBase(Multiaddr relayWithId) throws MultiaddrException {
    return Multiaddr.parse(relayWithId + "/p2p-circuit");
  }

  /**
   * Keeps a reservation on the relay at {@code relayAddr}: dials and reserves now, renews at half
   * the remaining time, and after the relay went away dials again after 1, 2, 4 … up to 30 seconds.
   *
   * @param relayAddr the relay's address, ending in {@code /p2p/<relay>}
   */
  public void keepReservation(Multiaddr relayAddr) {
    if (kept.putIfAbsent(relayAddr, Boolean.TRUE) == null) {
      attempt(relayAddr, 1000);
    }
  }

  private void attempt(Multiaddr relayAddr, long backoffMillis) {
    if (closed || !kept.containsKey(relayAddr)) {
      return;
    }
    CompletableFuture<Held> f;
    try {
      f = host.dial(relayAddr).thenCompose(this::reserve);
    } catch (IllegalStateException e) {
      return; // host closed
    }
    f.whenComplete((h, e) -> {
      if (closed) {
        return;
      }
      if (e != null) {
        LOG.debug("reservation on {} failed; retrying in {} ms", relayAddr, backoffMillis, e);
        later(() -> attempt(relayAddr, Math.min(30_000, backoffMillis * 2)), backoffMillis);
        return;
      }
      long renewIn = Math.max(1000, (h.expireSeconds * 1000 - clock.millis()) / 2);
      CompletableFuture<Void> gone = h.connection.closeFuture();
      later(() -> {
        if (!gone.isDone()) {
          attempt(relayAddr, 1000);
        }
      }, renewIn);
      gone.whenComplete((v, x) -> later(() -> attempt(relayAddr, 1000), backoffMillis));
    });
  }

  private void later(Runnable r, long millis) {
    try {
      timer.schedule(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.debug("relay client task failed", e);
        }
      }, millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("relay client closed; task dropped");
    }
  }

  /**
   * Stops keeping the reservation on {@code relayAddr} (the current one lapses by itself).
   *
   * @param relayAddr the address given to {@link #keepReservation}
   */
  public void stopKeeping(Multiaddr relayAddr) {
    kept.remove(relayAddr);
  }

  /**
   * Opens a relayed connection.
   *
   * @param addr {@code …/p2p/<relay>/p2p-circuit/p2p/<peer>}
   * @return completes with the upgraded connection, or fails with {@link RelayException} (the
   *     relay's refusal, such as {@link Status#NO_RESERVATION}), {@link ConnectionException} or a
   *     handshake failure
   */
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    Multiaddr relayAddr;
    PeerId target;
    try {
      Split s = split(addr);
      relayAddr = s.relay;
      target = s.target;
    } catch (MultiaddrException e) {
      return CompletableFuture.failedFuture(new ConnectionException(ConnectionException.Kind.DIAL_FAILED,
          "not a circuit address: " + addr, e));
    }
    FramedStream[] fs = new FramedStream[1];
    CompletableFuture<Connection> result = new CompletableFuture<>();
    host.dial(relayAddr)
        .thenCompose(c -> c.openStream(List.of(RelayConstants.HOP_PROTOCOL_ID),
            (cc, s, p) -> fs[0] = new FramedStream(s, RelayConstants.MAX_MESSAGE_BYTES)))
        .thenCompose(s -> exchange(fs[0], new Hop(CircuitMessages.HOP_CONNECT,
            new CircuitMessages.Peer(target.bytes(), List.of()), null, null, 0).encode()))
        .whenComplete((body, e) -> {
          if (e != null) {
            if (fs[0] != null) {
              fs[0].stream().reset();
            }
            result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            return;
          }
          // on the hop stream's event loop: the answer was just read there
          try {
            Hop answer = Hop.decode(body);
            if (answer.type() != CircuitMessages.HOP_STATUS || answer.status() != Status.OK) {
              throw new RelayException(answer.status() == 0 ? Status.UNEXPECTED_MESSAGE : answer.status(),
                  "relay refused the connection to " + target);
            }
          } catch (RelayException bad) {
            fs[0].stream().reset();
            result.completeExceptionally(bad);
            return;
          }
          Multiaddr local;
          try {
            local = Multiaddr.parse(relayAddr + "/p2p-circuit").withPeerId(host.peerId().bytes());
          } catch (MultiaddrException bad) {
            fs[0].stream().reset();
            result.completeExceptionally(bad);
            return;
          }
          upgrade(fs[0], local, addr, true, target, result);
        });
    return result;
  }

  private void upgrade(FramedStream fs, Multiaddr local, Multiaddr remote, boolean initiator, PeerId expected,
      CompletableFuture<Connection> result) {
    MuxedStream stream = fs.stream();
    ByteBuf rest = fs.takeLeftover();
    StreamChannel ch = new StreamChannel(stream, rest, new MultiaddrSocketAddress(local),
        new MultiaddrSocketAddress(remote));
    ch.pipeline().addLast(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel c) {
        host.upgrade(c, initiator, expected, result);
      }
    });
    ch.streamLoop().register(ch).addListener(f -> {
      if (!f.isSuccess()) {
        stream.reset();
        if (result != null) {
          result.completeExceptionally(f.cause());
        }
      }
    });
  }

  private void onStop(Connection relay, FramedStream fs, byte[] body, Throwable err) {
    if (err != null) {
      LOG.debug("stop stream from {} failed", relay.remotePeerId(), err);
      return;
    }
    Stop msg;
    try {
      msg = Stop.decode(body);
    } catch (RelayException e) {
      answerStop(fs, Status.MALFORMED_MESSAGE);
      return;
    }
    if (msg.type() != CircuitMessages.STOP_CONNECT) {
      answerStop(fs, Status.UNEXPECTED_MESSAGE);
      return;
    }
    if (msg.peer() == null) {
      answerStop(fs, Status.MALFORMED_MESSAGE);
      return;
    }
    if (closed || !held.containsKey(relay.remotePeerId())) {
      answerStop(fs, Status.PERMISSION_DENIED);
      return;
    }
    PeerId source;
    Multiaddr remote;
    Multiaddr local;
    try {
      Multiaddr.checkPeerIdMultihash(msg.peer().id());
      source = PeerId.fromBytes(msg.peer().id());
      Multiaddr relayAddr = relay.remoteAddress().withPeerId(relay.remotePeerId().bytes());
      remote = circuitBase(relayAddr).withPeerId(source.bytes());
      local = circuitBase(relayAddr).withPeerId(host.peerId().bytes());
    } catch (MultiaddrException | RuntimeException e) {
      answerStop(fs, Status.MALFORMED_MESSAGE);
      return;
    }
    fs.write(new Stop(CircuitMessages.STOP_STATUS, null, null, Status.OK).encode());
    upgrade(fs, local, remote, false, source, null);
  }

  private static void answerStop(FramedStream fs, int status) {
    fs.write(new Stop(CircuitMessages.STOP_STATUS, null, null, status).encode());
    fs.stream().closeWrite();
  }

  /** The relay part and the target of a circuit address. */
  record Split(Multiaddr relay, PeerId target) {}

  /**
   * Splits {@code …/p2p/<relay>/p2p-circuit/p2p/<peer>}.
   *
   * @param addr the circuit address
   * @return the relay's address (ending in its /p2p id) and the target
   * @throws MultiaddrException when the address has another form
   */
  static Split split(Multiaddr addr) throws MultiaddrException {
    List<Multiaddr.Component> cs = addr.components();
    int at = -1;
    for (int i = 0; i < cs.size(); i++) {
      if (cs.get(i).protocol() == Protocol.P2P_CIRCUIT) {
        at = i;
        break;
      }
    }
    if (at < 2 || at + 2 != cs.size() || cs.get(at - 1).protocol() != Protocol.P2P
        || cs.get(at + 1).protocol() != Protocol.P2P) {
      throw new MultiaddrException("expected …/p2p/<relay>/p2p-circuit/p2p/<peer>");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < at; i++) {
      sb.append(cs.get(i));
    }
    return new Split(Multiaddr.parse(sb.toString()), PeerId.fromBytes(cs.get(at + 1).value()));
  }

  /** Stops accepting relayed connections and keeping reservations; held ones lapse. */
  @Override
  public void close() {
    closed = true;
    kept.clear();
    host.removeProtocolHandler(RelayConstants.STOP_PROTOCOL_ID);
    host.setCircuitDialer(null);
    for (Held h : held.values()) {
      drop(h);
    }
    timer.shutdownNow();
  }
}
