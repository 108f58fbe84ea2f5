package io.spacepanda.internal.net.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Benchmark baseline only: the Noise transport codec as it was before issue 15 (a copy of main at
 * f3cb1cf: per-frame arrays, one frame per write), for {@code NoiseCodecBenchmark}.
 *
 * <p>Original description:
 * The Noise transport phase on a Netty channel: every frame is a 2-byte big-endian length and a
 * ChaChaPoly ciphertext of at most {@link NoiseConstants#MAX_PLAINTEXT_BYTES} plaintext bytes
 * (libp2p/specs noise/README.md, "Wire Format"), with empty associated data and one nonce counter
 * per direction.
 *
 * <p>Inbound: decrypted plaintext goes on as {@code ByteBuf}s; at most one incomplete frame is
 * buffered; a frame that does not authenticate closes the channel. Outbound: a {@code ByteBuf} of
 * any size is split into maximal frames and written as one buffer. Not sharable; event-loop
 * confined.
 */
public final class PreviousNoiseTransportCodec extends ChannelDuplexHandler {

  private static final byte[] NO_AD = new byte[0];

  private final CipherState encrypt;
  private final CipherState decrypt;
  private ByteBuf cumulation;
  private boolean failed;

  PreviousNoiseTransportCodec(CipherState encrypt, CipherState decrypt) {
    this.encrypt = encrypt;
    this.decrypt = decrypt;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    cumulation = ctx.alloc().buffer();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    if (failed) {
      in.release();
      return;
    }
    try {
      cumulation.writeBytes(in);
    } finally {
      in.release();
    }
    while (cumulation.readableBytes() >= 2) {
      int len = cumulation.getUnsignedShort(cumulation.readerIndex());
      if (cumulation.readableBytes() < 2 + len) {
        break;
      }
      cumulation.skipBytes(2);
      byte[] ct = new byte[len];
      cumulation.readBytes(ct);
      byte[] pt;
      try {
        pt = decrypt.decryptWithAd(NO_AD, ct, 0, len);
      } catch (NoiseException e) {
        failed = true;
        ctx.fireExceptionCaught(e);
        ctx.close();
        return;
      }
      if (pt.length > 0) {
        ctx.fireChannelRead(Unpooled.wrappedBuffer(pt));
      }
    }
    cumulation.discardSomeReadBytes();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf)) {
      ctx.write(msg, promise);
      return;
    }
    ByteBuf plain = (ByteBuf) msg;
    try {
      int total = plain.readableBytes();
      int frames = Math.max(1, (total + NoiseConstants.MAX_PLAINTEXT_BYTES - 1) / NoiseConstants.MAX_PLAINTEXT_BYTES);
      ByteBuf out = ctx.alloc().buffer(total + frames * (2 + NoiseConstants.TAG_BYTES));
      byte[] chunk = new byte[Math.min(total, NoiseConstants.MAX_PLAINTEXT_BYTES)];
      while (plain.isReadable()) {
        int n = Math.min(plain.readableBytes(), NoiseConstants.MAX_PLAINTEXT_BYTES);
        plain.readBytes(chunk, 0, n);
        byte[] ct = encrypt.encryptWithAd(NO_AD, chunk, 0, n);
        out.writeShort(ct.length);
        out.writeBytes(ct);
      }
      ctx.write(out, promise);
    } catch (NoiseException e) {
      promise.tryFailure(e);
      ctx.close();
    } finally {
      ReferenceCountUtil.release(plain);
    }
  }
}
