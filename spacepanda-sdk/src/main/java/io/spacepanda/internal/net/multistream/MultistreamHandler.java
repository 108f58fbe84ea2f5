package io.spacepanda.internal.net.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;

/**
 * Runs a {@link MultistreamSelect} negotiation directly on a Netty channel (before security), then
 * removes itself.
 *
 * <p>On success it calls {@link Listener#onSelected} on the event loop while still in the
 * pipeline, so the listener can add the next handler after it; then bytes that arrived after the
 * negotiation are passed on to that handler and this handler leaves the pipeline. On failure it
 * calls {@link Listener#onFailed} and closes the channel. Not sharable; event-loop confined.
 */
public final class MultistreamHandler extends ChannelInboundHandlerAdapter {

  /** Receives the negotiation's outcome on the channel's event loop. */
  public interface Listener {
    /**
     * Reports the agreed protocol; the listener may add handlers after {@code ctx}.
     *
     * @param ctx this handler's context
     * @param protocol the agreed protocol id
     */
    void onSelected(ChannelHandlerContext ctx, String protocol);

    /**
     * Reports that the negotiation failed; the channel is closed afterwards.
     *
     * @param cause a {@link MultistreamException} or the channel's failure
     */
    void onFailed(Throwable cause);
  }

  private final MultistreamSelect select;
  private final Listener listener;
  private ByteBuf cumulation;
  private boolean started;
  private boolean finished;
  private boolean failed;

  /**
   * Creates the handler.
   *
   * @param select a negotiation not yet started
   * @param listener receives the outcome
   */
  public MultistreamHandler(MultistreamSelect select, Listener listener) {
    this.select = Objects.requireNonNull(select, "select");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    cumulation = ctx.alloc().buffer();
    if (ctx.channel().isActive()) {
      begin(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    begin(ctx);
    ctx.fireChannelActive();
  }

  private void begin(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    ByteBuf out = ctx.alloc().buffer();
    select.start(out);
    ctx.writeAndFlush(out);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    if (finished) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    try {
      cumulation.writeBytes(in);
    } finally {
      in.release();
    }
    ByteBuf out = ctx.alloc().buffer();
    boolean done;
    try {
      done = select.receive(cumulation, out);
    } catch (MultistreamException e) {
      out.release();
      fail(ctx, e);
      return;
    }
    if (out.isReadable()) {
      ctx.writeAndFlush(out);
    } else {
      out.release();
    }
    if (done) {
      finished = true;
      listener.onSelected(ctx, select.selected());
      ByteBuf rest = cumulation;
      cumulation = null;
      if (rest.isReadable()) {
        ctx.fireChannelRead(rest);
      } else {
        rest.release();
      }
      ctx.pipeline().remove(this);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      finished = true;
      listener.onFailed(new MultistreamException(MultistreamException.Kind.PROTOCOL_VIOLATION, "connection closed during multistream negotiation"));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (finished) {
      ctx.fireExceptionCaught(cause);
    } else {
      fail(ctx, cause);
    }
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    finished = true;
    failed = true;
    listener.onFailed(cause);
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
