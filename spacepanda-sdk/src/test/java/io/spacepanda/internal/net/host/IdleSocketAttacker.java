package io.spacepanda.internal.net.host;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile client for tests: holds {@code sockets} TCP connections to a target, spread over
 * several loopback source addresses ({@code 127.0.x.1}; Linux lets any 127/8 address be bound),
 * sends nothing on them, and re-opens each one the target closes until {@link #close()}.
 */
public final class IdleSocketAttacker implements AutoCloseable {

  private final EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("attacker", true));
  private final InetSocketAddress target;
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean running = true;

  /**
   * Starts holding sockets.
   *
   * @param target the node's listen address
   * @param sources local source addresses; socket {@code i} uses {@code sources.get(i % n)}
   * @param sockets how many connections to hold at once
   */
  public IdleSocketAttacker(InetSocketAddress target, List<String> sources, int sockets) {
    this.target = target;
    for (int i = 0; i < sockets; i++) {
      open(sources.get(i % sources.size()));
    }
  }

  /** Returns the source addresses {@code 127.0.1.1 … 127.0.n.1}: n distinct /24 prefixes. */
  public static List<String> loopbackSources(int n) {
    return java.util.stream.IntStream.rangeClosed(1, n).mapToObj(i -> "127.0." + i + ".1").toList();
  }

  private void open(String source) {
    if (!running) {
      return;
    }
    ChannelFuture f = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.SO_LINGER, 0) // RST on close: no TIME_WAIT pile-up across runs
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // the node's multistream header: ignored, never answered
          }

          @Override
          public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        })
        .localAddress(new InetSocketAddress(source, 0))
        .connect(target);
    f.addListener(x -> {
      Channel ch = f.channel();
      if (f.isSuccess()) {
        opened.incrementAndGet();
      }
      // re-open whatever the node closes (or refused to accept), a little later so that the
      // attack does not spin one core of the two the test suite shares
      ch.closeFuture().addListener(y -> {
        if (running) {
          group.schedule(() -> open(source), 2, TimeUnit.MILLISECONDS);
        }
      });
    });
  }

  /** Returns how many connections were established so far. */
  public long opened() {
    return opened.get();
  }

  @Override
  public void close() {
    running = false;
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
