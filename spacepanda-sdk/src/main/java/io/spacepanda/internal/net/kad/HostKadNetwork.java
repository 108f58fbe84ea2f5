package io.spacepanda.internal.net.kad;

import io.netty.buffer.ByteBuf;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link KadDht} over a libp2p {@link Host}: requests go out on a new stream negotiated to
 * the configured protocol id (one request, one response, then close, as go and js do), inbound
 * streams are served message after message until the peer closes. A peer that identify reports as
 * serving the protocol is offered to the routing table (libp2p kad-dht spec, "Client and server
 * mode": only peers that advertise the protocol are added).
 *
 * <p>Bounds: messages as {@link KadMessage}; an inbound stream carries at most {@link
 * #MAX_REQUESTS_PER_STREAM} requests. Threading: thread-safe; handlers run on the connection's
 * event loop.
 */
public final class HostKadNetwork implements KadNetwork {

  /** Most requests served on one inbound stream. */
  public static final int MAX_REQUESTS_PER_STREAM = 64;

  private static final Logger LOG = LoggerFactory.getLogger(HostKadNetwork.class);

  private final Host host;
  private final String protocolId;
  private volatile KadDht dht;

  /**
   * Creates the binding; call {@link #bind} once the DHT exists.
   *
   * @param host the host
   * @param protocolId the DHT protocol id
   */
  public HostKadNetwork(Host host, String protocolId) {
    this.host = Objects.requireNonNull(host, "host");
    this.protocolId = Objects.requireNonNull(protocolId, "protocolId");
  }

  /**
   * Serves {@code dht} on the host and feeds it peers identify finds serving the protocol.
   *
   * @param kad the DHT using this network
   */
  public void bind(KadDht kad) {
    this.dht = Objects.requireNonNull(kad, "kad");
    host.setProtocolHandler(protocolId, (c, s, p) -> new Server(c));
    host.addConnectionListener(new ConnectionListener() {
      @Override
      public void onConnected(Connection connection) {
        identifyAndOffer(connection);
      }
    });
  }

  /**
   * Creates a DHT on a host: registers the protocol, feeds identified peers to the routing table
   * and starts the periodic refresh.
   *
   * @param host the host
   * @param config DHT parameters (the protocol id among them)
   * @param scheduler runs timeouts and refreshes
   * @param clock epoch milliseconds
   * @param random for refresh keys
   * @return the running DHT
   */
  public static KadDht attach(Host host, KadConfig config, io.spacepanda.spi.Scheduler scheduler,
      java.util.function.LongSupplier clock, java.util.Random random) {
    HostKadNetwork net = new HostKadNetwork(host, config.protocolId());
    KadDht dht = new KadDht(host.peerId(), host::listenAddresses, net, scheduler, clock, random, config,
        Validators.defaults());
    net.bind(dht);
    dht.start();
    return dht;
  }

  private void identifyAndOffer(Connection connection) {
    try {
      host.identify(connection).whenComplete((id, e) -> {
        if (e == null && id.protocols().contains(protocolId)) {
          dht.peerSeen(new KadPeer(connection.remotePeerId(), addresses(id)));
        }
      });
    } catch (RuntimeException e) {
      LOG.debug("identify for the DHT failed", e);
    }
  }

  private static List<Multiaddr> addresses(IdentifyMessage id) {
    List<Multiaddr> out = new ArrayList<>();
    for (byte[] b : id.listenAddrs()) {
      if (out.size() == KadMessage.MAX_ADDRESSES_PER_PEER) {
        break;
      }
      try {
        Multiaddr m = Multiaddr.fromBytes(b).withoutPeerId();
        if (m.tcpHostOrNull() != null) {
          out.add(m);
        }
      } catch (MultiaddrException e) {
        // skip
      }
    }
    return out;
  }

  @Override
  public CompletableFuture<KadMessage> send(KadPeer peer, KadMessage request) {
    return connect(peer, 0, null).thenCompose(c -> {
      Client client = new Client(request);
      return c.openStream(List.of(protocolId), (conn, s, p) -> client.attach(s))
          .thenCompose(s -> client.result);
    });
  }

  private CompletableFuture<Connection> connect(KadPeer peer, int index, Throwable last) {
    Connection c = host.connectionOrNull(peer.id());
    if (c != null && c.isOpen()) {
      return CompletableFuture.completedFuture(c);
    }
    if (index >= peer.addresses().size()) {
      return CompletableFuture.failedFuture(last != null ? last : new KadException("no address for the peer"));
    }
    Multiaddr a;
    try {
      a = peer.addresses().get(index).withPeerId(peer.id().bytes());
    } catch (MultiaddrException e) {
      return connect(peer, index + 1, e);
    }
    return host.dial(a).handle((conn, e) -> e == null
            ? CompletableFuture.completedFuture(conn) : connect(peer, index + 1, e))
        .thenCompose(f -> f);
  }

  /** Sends one request, reads one response (none for ADD_PROVIDER). */
  private static final class Client implements StreamHandler {
    final KadMessage request;
    final CompletableFuture<KadMessage> result = new CompletableFuture<>();
    final KadFrames frames = new KadFrames();

    Client(KadMessage request) {
      this.request = request;
    }

    StreamHandler attach(MuxedStream s) {
      ByteBuf out = s.alloc().buffer();
      KadFrames.writeFrame(out, request.encode());
      CompletableFuture<Void> written = s.write(out);
      if (request.type() == KadMessage.Type.ADD_PROVIDER) {
        written.thenCompose(v -> s.closeWrite()).whenComplete((v, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(null);
          }
        });
      }
      return this;
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      try {
        if (result.isDone()) {
          return;
        }
        List<byte[]> msgs = frames.offer(data);
        if (!msgs.isEmpty()) {
          result.complete(KadMessage.decode(msgs.get(0)));
          stream.closeWrite();
        }
      } catch (KadException e) {
        result.completeExceptionally(e);
        stream.reset();
      } finally {
        data.release();
        stream.consumed(n);
      }
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      if (!result.isDone()) {
        result.completeExceptionally(new KadException("kad stream closed without a response"));
      }
      stream.closeWrite();
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {
      result.completeExceptionally(cause);
    }
  }

  /** Serves the requests of one inbound stream. */
  private final class Server implements StreamHandler {
    final PeerId from;
    final KadFrames frames = new KadFrames();
    int served;

    Server(Connection connection) {
      this.from = connection.remotePeerId();
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      try {
        for (byte[] body : frames.offer(data)) {
          if (++served > MAX_REQUESTS_PER_STREAM) {
            throw new KadException("too many requests on one kad stream");
          }
          KadMessage response = dht.handle(from, KadMessage.decode(body));
          if (response != null) {
            ByteBuf out = stream.alloc().buffer();
            KadFrames.writeFrame(out, response.encode());
            stream.write(out);
          }
        }
      } catch (KadException e) {
        LOG.debug("resetting a kad stream: {}", e.getMessage());
        stream.reset();
      } finally {
        data.release();
        stream.consumed(n);
      }
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      stream.closeWrite();
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {
      // nothing held
    }
  }
}
