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
    // Performance only (issue 15): the session flushes after each frame; consolidated, the frames
    // of one event-loop turn (or read) leave as one Noise frame and one system call.
    channel.pipeline().addLast("flush-consolidation", new FlushConsolidationHandler(
        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    channel.pipeline().addLast("yamux", session);
    return session;
  }
}
