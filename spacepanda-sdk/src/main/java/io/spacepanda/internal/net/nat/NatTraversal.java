package io.spacepanda.internal.net.nat;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.autonat.AutonatClient;
import io.spacepanda.internal.net.autonat.AutonatMessage;
import io.spacepanda.internal.net.autonat.AutonatService;
import io.spacepanda.internal.net.dcutr.Dcutr;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConstants;
import io.spacepanda.internal.net.relay.RelayService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT traversal of one host, as {@link NatOptions} say.
 *
 * <p>With {@code relayService}: a {@link RelayService} and an {@link AutonatService}. With {@code
 * traversal}: a {@link RelayClient}, a {@link Dcutr} that upgrades inbound relayed connections,
 * and, on each connection to a bootstrap peer, identify (to learn the address the peer observed) and
 * an AutoNAT probe; when the probes say {@link AutonatClient.Reachability#PRIVATE} (or the peer
 * refuses to probe) and the peer serves the hop protocol, a reservation on it is kept. {@link
 * #circuitAddresses} gives the relayed addresses through which a peer may be dialed when no direct
 * one works. Thread-safe.
 */
public final class NatTraversal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NatTraversal.class);
  private static final int MAX_OBSERVED = 8;

  private final Host host;
  private final List<Multiaddr> bootstrap;
  private final RelayService relayService;
  private final AutonatService autonatService;
  private final RelayClient relayClient;
  private final Dcutr dcutr;
  private final AutonatClient autonat;
  private final Set<Multiaddr> observed = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
  private final Map<PeerId, Multiaddr> relays = new ConcurrentHashMap<>();

  /**
   * Starts the services the options ask for on {@code host}.
   *
   * @param host the host (with port reuse when traversing)
   * @param identity the host's identity (signs vouchers)
   * @param options what to run
   * @param bootstrap the bootstrap peers' addresses, each ending in {@code /p2p/<id>}
   */
  public NatTraversal(Host host, IdentitySigner identity, NatOptions options, List<Multiaddr> bootstrap) {
    this.host = Objects.requireNonNull(host, "host");
    this.bootstrap = List.copyOf(bootstrap);
    Clock clock = Clock.systemUTC();
    this.relayService = options.relayService() ? new RelayService(host, identity, options.relayConfig(), clock) : null;
    this.autonatService = options.relayService() ? new AutonatService(host, Duration.ofSeconds(10), 4) : null;
    if (options.traversal()) {
      relayClient = new RelayClient(host, clock, Duration.ofSeconds(10));
      dcutr = new Dcutr(host, this::ownAddresses, Duration.ofSeconds(5), true);
      autonat = new AutonatClient(host, Duration.ofSeconds(30));
      host.addConnectionListener(new ConnectionListener() {
        @Override
        public void onConnected(Connection c) {
          Multiaddr b = bootstrapAddress(c.remotePeerId());
          if (b != null && !c.isRelayed()) {
            examine(c, b);
          }
        }

        @Override
        public void onDisconnected(Connection c) {}
      });
    } else {
      relayClient = null;
      dcutr = null;
      autonat = null;
    }
  }

  private Multiaddr bootstrapAddress(PeerId peer) {
    for (Multiaddr m : bootstrap) {
      byte[] id = m.peerIdOrNull();
      if (id != null && PeerId.fromBytes(id).equals(peer)) {
        return m;
      }
    }
    return null;
  }

  /** Identify, then probe, then reserve when private. */
  private void examine(Connection c, Multiaddr addr) {
    host.identify(c).thenCompose(id -> {
      id.observedAddr().ifPresent(this::observe);
      boolean hop = id.protocols().contains(RelayConstants.HOP_PROTOCOL_ID);
      if (hop) {
        relays.put(c.remotePeerId(), addr);
      }
      if (!id.protocols().contains(AutonatMessage.PROTOCOL_ID)) {
        return java.util.concurrent.CompletableFuture.completedFuture(hop ? -1 : 0);
      }
      return autonat.probe(c, ownAddresses()).thenApply(status -> hop && status != AutonatMessage.OK ? -1 : 0);
    }).whenComplete((reserve, e) -> {
      if (e != null) {
        LOG.debug("NAT examination at {} failed", c.remotePeerId(), e);
        return;
      }
      if (reserve == -1 && autonat.reachability() != AutonatClient.Reachability.PUBLIC) {
        LOG.info("not reachable from outside; keeping a relay reservation on {}", c.remotePeerId());
        relayClient.keepReservation(addr);
      }
    });
  }

  private void observe(byte[] bytes) {
    try {
      Multiaddr m = Multiaddr.fromBytes(bytes);
      if (m.tcpHostOrNull() != null && !m.isCircuit() && observed.size() < MAX_OBSERVED) {
        observed.add(m.withoutPeerId());
      }
    } catch (MultiaddrException e) {
      LOG.debug("ignoring a malformed observed address");
    }
  }

  /**
   * Returns this host's addresses for AutoNAT and DCUtR: observed ones first, then listen ones.
   *
   * @return the addresses
   */
  public List<Multiaddr> ownAddresses() {
    List<Multiaddr> out;
    synchronized (observed) {
      out = new ArrayList<>(observed);
    }
    for (Multiaddr m : host.listenAddresses()) {
      if (!out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Returns relayed addresses of {@code peer} through the bootstrap peers that serve relaying.
   *
   * @param peer the peer to reach
   * @return {@code <relay>/p2p-circuit/p2p/<peer>} for each known relay; empty without traversal
   */
  public List<Multiaddr> circuitAddresses(PeerId peer) {
    List<Multiaddr> out = new ArrayList<>();
    if (relayClient == null) {
      return out;
    }
    for (Map.Entry<PeerId, Multiaddr> r : relays.entrySet()) {
      if (r.getKey().equals(peer)) {
        continue;
      }
      try {
        out.add(Multiaddr.parse(r.getValue() + "/p2p-circuit").withPeerId(peer.bytes()));
      } catch (MultiaddrException e) {
        LOG.debug("circuit address too long");
      }
    }
    return out;
  }

  /**
   * Returns the AutoNAT verdict.
   *
   * @return the reachability, {@code UNKNOWN} without traversal
   */
  public AutonatClient.Reachability reachability() {
    return autonat == null ? AutonatClient.Reachability.UNKNOWN : autonat.reachability();
  }

  /**
   * Returns the relay service, or null.
   *
   * @return the service when relaying
   */
  public RelayService relayService() {
    return relayService;
  }

  /**
   * Returns the relay client, or null.
   *
   * @return the client when traversing
   */
  public RelayClient relayClient() {
    return relayClient;
  }

  /**
   * Returns the DCUtR service, or null.
   *
   * @return the service when traversing
   */
  public Dcutr dcutr() {
    return dcutr;
  }

  /** Stops every service (the host is closed by its owner). */
  @Override
  public void close() {
    for (AutoCloseable c : new AutoCloseable[] {dcutr, relayClient, autonatService, relayService}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing a NAT service failed", e);
        }
      }
    }
  }
}
