package io.spacepanda.internal.net.host;

import io.netty.channel.Channel;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.noise.SecureSession;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamMuxer;
import io.spacepanda.internal.net.tcp.TcpTransport;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The host's {@link Connection}: a Netty channel with its Noise session and muxer. */
final class ConnectionImpl implements Connection {

  private final Host host;
  private final Channel channel;
  private final SecureSession session;
  private final PeerId remotePeerId;
  private final String muxerProtocol;
  private final boolean early;
  private final Multiaddr remoteAddress;
  private final Multiaddr localAddress;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private volatile StreamMuxer muxer;
  private volatile ResourceManager.ConnectionScope scope;
  private final java.util.concurrent.atomic.AtomicLong streamsOpened = new java.util.concurrent.atomic.AtomicLong();

  ConnectionImpl(Host host, Channel channel, SecureSession session, String muxerProtocol, boolean early) {
    this.host = host;
    this.channel = channel;
    this.session = session;
    this.remotePeerId = PeerId.fromBytes(session.remotePeerId());
    this.muxerProtocol = muxerProtocol;
    this.early = early;
    this.remoteAddress = multiaddrOf(channel.remoteAddress());
    this.localAddress = multiaddrOf(channel.localAddress());
    channel.closeFuture().addListener(f -> closeFuture.complete(null));
  }

  void setScope(ResourceManager.ConnectionScope scope) {
    this.scope = scope;
  }

  ResourceManager.ConnectionScope scope() {
    return scope;
  }

  private static Multiaddr multiaddrOf(java.net.SocketAddress a) {
    return a instanceof MultiaddrSocketAddress m ? m.multiaddr() : TcpTransport.multiaddr(a);
  }

  void setMuxer(StreamMuxer muxer) {
    this.muxer = muxer;
  }

  void streamOpened() {
    streamsOpened.incrementAndGet();
  }

  long streamsOpened() {
    return streamsOpened.get();
  }

  Channel channel() {
    return channel;
  }

  @Override
  public PeerId remotePeerId() {
    return remotePeerId;
  }

  @Override
  public Libp2pPublicKey remoteKey() {
    return session.remoteKey();
  }

  @Override
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Multiaddr localAddress() {
    return localAddress;
  }

  @Override
  public boolean isInitiator() {
    return session.isInitiator();
  }

  @Override
  public String muxerProtocol() {
    return muxerProtocol;
  }

  @Override
  public boolean isEarlyMuxerNegotiated() {
    return early;
  }

  @Override
  public CompletableFuture<MuxedStream> openStream(List<String> protocols, ProtocolHandler handler) {
    return host.openStream(this, protocols, handler);
  }

  StreamMuxer muxer() {
    return muxer;
  }

  @Override
  public int streamCount() {
    StreamMuxer m = muxer;
    return m == null ? 0 : m.streamCount();
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() {
    StreamMuxer m = muxer;
    if (m != null) {
      try {
        channel.eventLoop().execute(m::close);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the event loop already stopped; closing the channel below is all that is left
      }
    }
    channel.close();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public String toString() {
    return "Connection{" + remotePeerId + " " + remoteAddress + (isInitiator() ? " outbound" : " inbound") + "}";
  }
}
