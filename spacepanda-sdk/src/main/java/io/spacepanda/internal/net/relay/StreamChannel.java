package io.spacepanda.internal.net.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A Netty channel whose bytes travel over one {@link MuxedStream}: a relayed connection, on which
 * the host runs multistream-select, Noise and Yamux as on a TCP socket.
 *
 * <p>It is active from its registration (the stream is already open); writes become stream writes,
 * stream data becomes channel reads (the stream's window reopens as soon as the pipeline took the
 * bytes, the inner muxer's own flow control bounding what is buffered); the peer's half-close or
 * reset closes the channel; closing the channel half-closes the stream and resets it if the peer
 * has not closed its side within {@link #LINGER_MILLIS}. Register it on the stream's event loop.
 */
public final class StreamChannel extends AbstractChannel {

  /** How long a closed channel waits for the peer's half-close before resetting the stream. */
  public static final long LINGER_MILLIS = 5_000;

  private static final ChannelMetadata METADATA = new ChannelMetadata(false);

  private final MuxedStream stream;
  private final SocketAddress local;
  private final SocketAddress remote;
  private final ChannelConfig config = new DefaultChannelConfig(this);
  private volatile boolean open = true;
  private ByteBuf initial;
  private boolean reading;

  /**
   * Creates the channel; it takes over the stream's handler once registered.
   *
   * @param stream the relayed stream
   * @param initial bytes already received on the stream, delivered first (owned by the channel)
   * @param local this side's address
   * @param remote the peer's address
   */
  public StreamChannel(MuxedStream stream, ByteBuf initial, SocketAddress local, SocketAddress remote) {
    super(null);
    this.stream = stream;
    this.initial = initial;
    this.local = local;
    this.remote = remote;
  }

  /**
   * Returns the stream's event loop, where this channel must be registered.
   *
   * @return the event loop
   * @throws IllegalStateException when the stream's executor is not an event loop
   */
  public EventLoop streamLoop() {
    if (stream.executor() instanceof EventLoop loop) {
      return loop;
    }
    throw new IllegalStateException("stream executor is not an event loop");
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new AbstractUnsafe() {
      @Override
      public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException("a stream channel is connected from the start"));
      }
    };
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == stream.executor();
  }

  @Override
  protected SocketAddress localAddress0() {
    return local;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return remote;
  }

  @Override
  protected void doRegister() {
    // the stream keeps what arrives until doBeginRead installs the reader after the initial bytes
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("a stream channel cannot bind");
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    if (initial != null) {
      initial.release();
      initial = null;
    }
    stream.closeWrite();
    if (!stream.closeFuture().isDone()) {
      io.netty.util.concurrent.ScheduledFuture<?> t =
          stream.executor().schedule(stream::reset, LINGER_MILLIS, TimeUnit.MILLISECONDS);
      stream.closeFuture().whenComplete((v, e) -> t.cancel(false));
    }
  }

  @Override
  protected void doBeginRead() {
    ByteBuf first = initial;
    initial = null;
    if (first != null) {
      if (first.isReadable()) {
        pipeline().fireChannelRead(first);
        pipeline().fireChannelReadComplete();
      } else {
        first.release();
      }
    }
    if (!reading && open) {
      reading = true;
      stream.setHandler(new Reader());
    }
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    while (true) {
      Object msg = in.current();
      if (msg == null) {
        return;
      }
      if (msg instanceof ByteBuf buf) {
        stream.write(buf.retain()).whenComplete((v, e) -> {
          if (e != null && open) {
            close();
          }
        });
        in.remove();
      } else {
        in.remove(new UnsupportedOperationException("only ByteBuf can be written"));
      }
    }
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  /** Moves stream events into the pipeline. */
  private final class Reader implements StreamHandler {
    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      int n = data.readableBytes();
      s.consumed(n);
      if (!open) {
        ReferenceCountUtil.release(data);
        return;
      }
      pipeline().fireChannelRead(data);
      pipeline().fireChannelReadComplete();
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      close();
    }

    @Override
    public void onReset(MuxedStream s, StreamException cause) {
      close();
    }
  }
}
