package io.spacepanda.internal.net.sim;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Transport} of one node on a {@link SimulatedNetwork}; all state is guarded by the
 * network's lock and every callback runs on the thread that advances the network's virtual time.
 */
final class SimulatedTransport implements Transport {

  /** Where the transport is in its life. */
  enum State { NEW, STARTED, CLOSED, CRASHED }

  final SimulatedNetwork network;
  final PeerId peer;
  final TransportListener listener;
  final Set<PeerId> connected = new TreeSet<>();
  final Map<Long, SimulatedNetwork.PendingSend> pending = new LinkedHashMap<>();
  State state = State.NEW;

  SimulatedTransport(SimulatedNetwork network, TransportContext context) {
    this.network = network;
    Objects.requireNonNull(context, "context");
    this.peer = context.localPeer();
    this.listener = context.listener();
  }

  @Override
  public CompletableFuture<Void> start() {
    return network.start(this);
  }

  @Override
  public List<String> listenAddresses() {
    synchronized (network) {
      return state == State.STARTED ? List.of(SimulatedNetwork.address(peer)) : List.of();
    }
  }

  @Override
  public void addPeerAddress(PeerId peerId, String address) {
    Objects.requireNonNull(peerId, "peer");
    Objects.requireNonNull(address, "address");
    if (!address.equals(SimulatedNetwork.address(peerId))) {
      throw new IllegalArgumentException("not the simulated address of " + peerId + ": " + address);
    }
  }

  @Override
  public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
    return network.send(this, recipient, envelope);
  }

  @Override
  public Set<PeerId> connectedPeers() {
    return network.connectedPeers(this);
  }

  @Override
  public void close() {
    network.close(this);
  }

  @Override
  public String toString() {
    synchronized (network) {
      return "SimulatedTransport{" + peer + ", " + state + "}";
    }
  }
}
