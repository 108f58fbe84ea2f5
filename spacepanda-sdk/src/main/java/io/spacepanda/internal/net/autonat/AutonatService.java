package io.spacepanda.internal.net.autonat;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.relay.FramedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AutoNAT v1 server (libp2p/specs autonat/autonat-v1.md): dials a requester back and says
 * whether that worked.
 *
 * <p>Safety rules of the spec: only addresses whose IP is the one the requester was observed at are
 * dialed (so the service cannot be aimed at third parties), relayed requesters are refused, the
 * request must name the requester's own peer id, at most {@link #MAX_DIALED_ADDRS} addresses are
 * tried and at most {@code maxConcurrent} requests are served at once (others get {@code
 * E_DIAL_REFUSED}). Dial-backs leave from a separate host with a throwaway identity, so they are
 * real new connections and not the existing one. Thread-safe.
 */
public final class AutonatService implements AutoCloseable {

  /** Most addresses dialed per request. */
  public static final int MAX_DIALED_ADDRS = 4;

  private static final Logger LOG = LoggerFactory.getLogger(AutonatService.class);

  private final Host host;
  private final Duration dialTimeout;
  private final int maxConcurrent;
  private final AtomicInteger running = new AtomicInteger();
  private final Object lock = new Object();
  private Host dialer; // guarded by lock; built on first use
  private volatile boolean closed;

  /**
   * Creates the service and registers {@value AutonatMessage#PROTOCOL_ID} on {@code host}.
   *
   * @param host the host
   * @param dialTimeout how long one dial-back may take, handshake included
   * @param maxConcurrent most requests served at once
   */
  public AutonatService(Host host, Duration dialTimeout, int maxConcurrent) {
    this.host = Objects.requireNonNull(host, "host");
    this.dialTimeout = Objects.requireNonNull(dialTimeout, "dialTimeout");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be positive");
    }
    this.maxConcurrent = maxConcurrent;
    host.setProtocolHandler(AutonatMessage.PROTOCOL_ID, (c, s, p) -> {
      FramedStream fs = new FramedStream(s, AutonatMessage.MAX_MESSAGE_BYTES);
      fs.read().whenComplete((body, err) -> {
        if (err == null) {
          serve(c, fs, body);
        } else {
          s.reset();
        }
      });
      return fs;
    });
  }

  private void serve(Connection c, FramedStream fs, byte[] body) {
    AutonatMessage req;
    try {
      req = AutonatMessage.decode(body);
    } catch (AutonatException e) {
      answer(fs, AutonatMessage.response(AutonatMessage.E_BAD_REQUEST, "malformed request", new byte[0]));
      return;
    }
    if (req.type() != AutonatMessage.DIAL || !Arrays.equals(req.peerId(), c.remotePeerId().bytes())) {
      answer(fs, AutonatMessage.response(AutonatMessage.E_BAD_REQUEST, "not a dial request for the requester",
          new byte[0]));
      return;
    }
    String observed = c.remoteAddress().tcpHostOrNull();
    if (c.isRelayed() || observed == null || closed) {
      answer(fs, AutonatMessage.response(AutonatMessage.E_DIAL_REFUSED, "requester not observed directly",
          new byte[0]));
      return;
    }
    List<Multiaddr> targets = new ArrayList<>();
    for (byte[] b : req.addrs()) {
      try {
        Multiaddr m = Multiaddr.fromBytes(b);
        if (!m.isCircuit() && observed.equals(m.tcpHostOrNull()) && targets.size() < MAX_DIALED_ADDRS) {
          targets.add(m.withPeerId(c.remotePeerId().bytes()));
        }
      } catch (MultiaddrException e) {
        // skip what cannot be dialed
      }
    }
    if (targets.isEmpty()) {
      answer(fs, AutonatMessage.response(AutonatMessage.E_DIAL_REFUSED, "no address of the observed IP",
          new byte[0]));
      return;
    }
    if (running.incrementAndGet() > maxConcurrent) {
      running.decrementAndGet();
      answer(fs, AutonatMessage.response(AutonatMessage.E_DIAL_REFUSED, "busy", new byte[0]));
      return;
    }
    Host d;
    try {
      d = dialer();
    } catch (IllegalStateException e) {
      running.decrementAndGet();
      answer(fs, AutonatMessage.response(AutonatMessage.E_INTERNAL_ERROR, "closed", new byte[0]));
      return;
    }
    tryDial(d, c.remotePeerId(), targets, 0).whenComplete((addr, e) -> {
      running.decrementAndGet();
      answer(fs, addr != null
          ? AutonatMessage.response(AutonatMessage.OK, "dialed", addr.withoutPeerId().toBytes())
          : AutonatMessage.response(AutonatMessage.E_DIAL_ERROR, "dial-back failed", new byte[0]));
    });
  }

  private CompletableFuture<Multiaddr> tryDial(Host d, PeerId peer, List<Multiaddr> targets, int i) {
    if (i == targets.size() || closed) {
      return CompletableFuture.completedFuture(null);
    }
    Multiaddr m = targets.get(i);
    CompletableFuture<Connection> dial;
    try {
      dial = d.dial(m).orTimeout(dialTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IllegalStateException e) {
      return CompletableFuture.completedFuture(null);
    }
    return dial.handle((conn, e) -> {
      if (e == null) {
        conn.close();
        return CompletableFuture.completedFuture(m);
      }
      LOG.debug("autonat dial-back to {} failed", m, e);
      return tryDial(d, peer, targets, i + 1);
    }).thenCompose(f -> f);
  }

  private Host dialer() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (dialer == null) {
        dialer = Host.builder()
            .identity(IdentitySigner.generateEd25519(new SecureRandom()))
            .muxer(new YamuxMuxerFactory())
            .threads(1)
            .connectTimeout(dialTimeout)
            .handshakeTimeout(dialTimeout)
            .build();
      }
      return dialer;
    }
  }

  private static void answer(FramedStream fs, AutonatMessage m) {
    fs.stream().executor().execute(() -> {
      fs.write(m.encode());
      fs.stream().closeWrite();
    });
  }

  /** Stops serving and closes the dial-back host. */
  @Override
  public void close() {
    Host d;
    synchronized (lock) {
      closed = true;
      d = dialer;
      dialer = null;
    }
    host.removeProtocolHandler(AutonatMessage.PROTOCOL_ID);
    if (d != null) {
      d.close();
    }
  }
}
