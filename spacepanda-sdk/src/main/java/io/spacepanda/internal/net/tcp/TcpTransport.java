package io.spacepanda.internal.net.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Netty NIO TCP listener and dialer for {@code /ip4|ip6|dns4|dns6/…/tcp/…} multiaddrs.
 *
 * <p>Owns one event loop group, shared by listeners and dialed connections; {@link #close()}
 * closes every channel it made and stops the group's threads before returning. Addresses are taken
 * as given: tests use 127.0.0.1 only. Thread-safe.
 */
public final class TcpTransport implements AutoCloseable {

  private final EventLoopGroup group;
  private final io.netty.channel.group.ChannelGroup channels;
  private final Duration connectTimeout;
  private final boolean reusePort;
  private volatile boolean closed;

  /** Whether this JDK and OS let TCP sockets share a port (SO_REUSEPORT, Linux and BSDs). */
  public static final boolean REUSE_PORT_SUPPORTED = reusePortSupported();

  private static boolean reusePortSupported() {
    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
      return ch.supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT);
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Creates a transport with its own event loop threads.
   *
   * @param threads number of event loop threads, at least 1
   * @param connectTimeout how long a TCP connect may take
   * @param threadNamePrefix prefix of the threads' names
   */
  public TcpTransport(int threads, Duration connectTimeout, String threadNamePrefix) {
    this(threads, connectTimeout, threadNamePrefix, false);
  }

  /**
   * Creates a transport with its own event loop threads, optionally with port reuse: listeners and
   * {@link #dialFrom} sockets then set SO_REUSEPORT, so a dial can leave from a listening port (the
   * TCP hole punch of DCUtR needs that; another process of the same user could then share the port).
   *
   * @param threads number of event loop threads, at least 1
   * @param connectTimeout how long a TCP connect may take
   * @param threadNamePrefix prefix of the threads' names
   * @param reusePort whether to set SO_REUSEPORT where {@link #REUSE_PORT_SUPPORTED}
   */
  public TcpTransport(int threads, Duration connectTimeout, String threadNamePrefix, boolean reusePort) {
    this.reusePort = reusePort && REUSE_PORT_SUPPORTED;
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive: " + threads);
    }
    this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix, true));
    this.channels =
        new io.netty.channel.group.DefaultChannelGroup(group.next());
    this.connectTimeout = connectTimeout;
  }

  /**
   * Returns the socket address of a TCP multiaddr; {@code /dns4} and {@code /dns6} names are
   * resolved here, on the calling thread, to the first address of their family.
   *
   * @param addr a multiaddr starting with an address and a TCP port
   * @return the resolved socket address
   * @throws IllegalArgumentException if {@code addr} is not a TCP multiaddr or its name does not
   *     resolve to an address of the named family
   */
  public static InetSocketAddress socketAddress(Multiaddr addr) {
    String host = addr.tcpHostOrNull();
    if (host == null) {
      throw new IllegalArgumentException("not a TCP multiaddr: " + addr);
    }
    Protocol p = addr.components().get(0).protocol();
    try {
      if (p == Protocol.IP4 || p == Protocol.IP6) {
        return new InetSocketAddress(InetAddress.getByAddress(addr.components().get(0).value()), addr.tcpPort());
      }
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if ((p == Protocol.DNS4) == (a instanceof java.net.Inet4Address)) {
          return new InetSocketAddress(a, addr.tcpPort());
        }
      }
      throw new IllegalArgumentException("no " + p.text() + " address for " + host);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve " + host, e);
    }
  }

  /**
   * Returns the multiaddr of a bound or connected socket address.
   *
   * @param address an {@link InetSocketAddress}
   * @return {@code /ip4|ip6/…/tcp/…}
   */
  public static Multiaddr multiaddr(SocketAddress address) {
    InetSocketAddress a = (InetSocketAddress) address;
    return Multiaddr.tcp(a.getAddress(), a.getPort());
  }

  /**
   * Starts listening; every accepted channel is handed to {@code init} before it is active.
   *
   * @param addr where to listen, such as {@code /ip4/127.0.0.1/tcp/0}
   * @param init sets up each accepted channel's pipeline
   * @return completes with the listening channel
   */
  public CompletableFuture<Channel> listen(Multiaddr addr, Consumer<Channel> init) {
    checkOpen();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer(init));
    if (reusePort) {
      b.option(io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT), true);
      b.option(ChannelOption.SO_REUSEADDR, true);
    }
    return track(b.bind(socketAddress(addr)));
  }

  /**
   * Dials a TCP multiaddr; the channel is handed to {@code init} before it connects.
   *
   * @param addr the address to dial (a trailing /p2p is ignored; DNS names resolve on the calling
   *     thread)
   * @param init sets up the channel's pipeline
   * @return completes with the connected channel
   */
  public CompletableFuture<Channel> dial(Multiaddr addr, Consumer<Channel> init) {
    checkOpen();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(initializer(init));
    return track(b.connect(socketAddress(addr.withoutPeerId())));
  }

  /**
   * Dials a TCP multiaddr from a given local address, sharing that port with a listener when port
   * reuse is on (a TCP simultaneous open leaves from the port peers observed).
   *
   * @param addr the address to dial (a trailing /p2p is ignored)
   * @param local the local address to bind, such as a listener's address
   * @param init sets up the channel's pipeline
   * @return completes with the connected channel
   * @throws IllegalStateException if port reuse is off
   */
  public CompletableFuture<Channel> dialFrom(Multiaddr addr, InetSocketAddress local, Consumer<Channel> init) {
    checkOpen();
    if (!reusePort) {
      throw new IllegalStateException("port reuse is off");
    }
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT), true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(initializer(init));
    return track(b.connect(socketAddress(addr.withoutPeerId()), local));
  }

  /**
   * Returns whether listeners and {@link #dialFrom} share ports.
   *
   * @return whether SO_REUSEPORT is set
   */
  public boolean reusesPorts() {
    return reusePort;
  }

  private ChannelInitializer<SocketChannel> initializer(Consumer<Channel> init) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        init.accept(ch);
      }
    };
  }

  private CompletableFuture<Channel> track(ChannelFuture f) {
    CompletableFuture<Channel> out = new CompletableFuture<>();
    channels.add(f.channel());
    f.addListener(
        x -> {
          if (x.isSuccess()) {
            out.complete(f.channel());
          } else {
            out.completeExceptionally(x.cause());
          }
        });
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("transport closed");
    }
  }

  /**
   * Returns the event loop group, for scheduling timers on the transport's threads.
   *
   * @return the group
   */
  public EventLoopGroup group() {
    return group;
  }

  /** Closes every channel and stops the event loop threads, waiting at most a few seconds. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
