package io.spacepanda.internal.net.yamux;

import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.spacepanda.internal.net.stream.InboundStreamListener;
import io.spacepanda.internal.net.stream.StreamMuxer;
import io.spacepanda.internal.net.stream.StreamMuxerFactory;
import java.util.Objects;

/**
 * Installs a {@link YamuxSession} ({@code /yamux/1.0.0}) at the tail of a secured channel.
 */
public final class YamuxMuxerFactory implements StreamMuxerFactory {

  private final YamuxConfig config;

  /**
   * Creates a factory whose sessions use {@code config}.
   *
   * @param config limits and timings of every session
   */
  public YamuxMuxerFactory(YamuxConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Creates a factory with {@link YamuxConfig#defaults()}.
   */
  public YamuxMuxerFactory() {
    this(YamuxConfig.defaults());
  }

  @Override
  public String protocolId() {
    return YamuxConstants.PROTOCOL_ID;
  }

  @Override
  public StreamMuxer install(Channel channel, boolean initiator, InboundStreamListener inbound) {
    YamuxSession session = new YamuxSession(initiator, inbound, config);
    // Performance only (issue 15): the session flushes after each frame; the flushes made while
    // the connection reads (window updates, acks, answers) are held until the read completes, so
    // those frames leave as one Noise frame and one system call. Flushes outside a read go through.
    channel.pipeline().addLast("flush-consolidation", new FlushConsolidationHandler(
        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, false));
    channel.pipeline().addLast("yamux", session);
    return session;
  }
}
