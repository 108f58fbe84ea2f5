package io.spacepanda.internal.net.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * The Noise transport phase on a Netty channel: every frame is a 2-byte big-endian length and a
 * ChaChaPoly ciphertext of at most {@link NoiseConstants#MAX_PLAINTEXT_BYTES} plaintext bytes
 * (libp2p/specs noise/README.md, "Wire Format"), with empty associated data and one nonce counter
 * per direction.
 *
 * <p>Inbound: bytes gather in a pooled heap buffer; each whole frame is decrypted straight from it
 * into a new pooled heap buffer that goes on down the pipeline (the next handler owns it); at most
 * one incomplete frame is buffered; a frame that does not authenticate closes the channel.
 *
 * <p>Outbound (coalesced writes): written buffers are copied into one pending plaintext buffer and
 * released; a full frame's worth is encrypted at once, the rest on {@link #flush}, so the small
 * writes between two flushes (Yamux headers, window updates, acks) share one Noise frame and one
 * tag. The promises of the writes complete with the write that carries their last bytes. Bytes
 * written but not flushed when the channel closes are dropped and their promises fail, as Netty
 * does for unflushed writes. The JCA's ChaCha20-Poly1305 must be initialized per nonce (it refuses
 * a reused key and nonce), so each frame costs one {@code Cipher.init}; no buffer is allocated per
 * frame beyond the pooled output. Not sharable; event-loop confined.
 */
public final class NoiseTransportCodec extends ChannelDuplexHandler {

  private static final int FRAME_OVERHEAD = 2 + NoiseConstants.TAG_BYTES;

  private final CipherState encrypt;
  private final CipherState decrypt;
  private ByteBuf cumulation;
  private ByteBuf pending; // plaintext written since the last flush, or null
  private final List<ChannelPromise> pendingPromises = new ArrayList<>();
  private boolean failed;

  NoiseTransportCodec(CipherState encrypt, CipherState decrypt) {
    this.encrypt = encrypt;
    this.decrypt = decrypt;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    cumulation = ctx.alloc().heapBuffer();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    dropPending(new java.nio.channels.ClosedChannelException());
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
      ByteBuf pt = ctx.alloc().heapBuffer(Math.max(1, len));
      try {
        int n = decrypt.decryptInto(cumulation.array(), cumulation.arrayOffset() + cumulation.readerIndex(),
            len, pt.array(), pt.arrayOffset() + pt.writerIndex());
        pt.writerIndex(pt.writerIndex() + n);
      } catch (NoiseException e) {
        pt.release();
        failed = true;
        ctx.fireExceptionCaught(e);
        ctx.close();
        return;
      }
      cumulation.skipBytes(len);
      if (pt.isReadable()) {
        ctx.fireChannelRead(pt);
      } else {
        pt.release();
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
      if (pending == null) {
        pending = ctx.alloc().heapBuffer(Math.max(256, Math.min(plain.readableBytes(), NoiseConstants.MAX_PLAINTEXT_BYTES)));
      }
      pending.writeBytes(plain);
    } finally {
      ReferenceCountUtil.release(plain);
    }
    if (!promise.isVoid()) {
      pendingPromises.add(promise);
    }
    if (pending.readableBytes() >= NoiseConstants.MAX_PLAINTEXT_BYTES) {
      // a full frame or more: encrypt the whole frames now, keep the rest for the flush
      int whole = pending.readableBytes() / NoiseConstants.MAX_PLAINTEXT_BYTES * NoiseConstants.MAX_PLAINTEXT_BYTES;
      encryptAndWrite(ctx, whole, ctx.voidPromise());
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (pending != null && (pending.isReadable() || !pendingPromises.isEmpty())) {
      ChannelPromise done;
      if (pendingPromises.isEmpty()) {
        done = ctx.voidPromise();
      } else if (pendingPromises.size() == 1) {
        done = pendingPromises.get(0);
      } else {
        done = ctx.newPromise();
        ChannelPromise[] waiting = pendingPromises.toArray(new ChannelPromise[0]);
        done.addListener(f -> {
          for (ChannelPromise p : waiting) {
            if (f.isSuccess()) {
              p.trySuccess();
            } else {
              p.tryFailure(f.cause());
            }
          }
        });
      }
      pendingPromises.clear();
      if (pending.isReadable()) {
        encryptAndWrite(ctx, pending.readableBytes(), done);
      } else {
        ctx.write(io.netty.buffer.Unpooled.EMPTY_BUFFER, done);
      }
      if (pending != null && !pending.isReadable()) {
        pending.release();
        pending = null;
      }
    }
    ctx.flush();
  }

  /** Encrypts {@code total} pending bytes into maximal frames and writes them as one buffer. */
  private void encryptAndWrite(ChannelHandlerContext ctx, int total, ChannelPromise promise) {
    int frames = Math.max(1, (total + NoiseConstants.MAX_PLAINTEXT_BYTES - 1) / NoiseConstants.MAX_PLAINTEXT_BYTES);
    ByteBuf out = ctx.alloc().heapBuffer(total + frames * FRAME_OVERHEAD);
    try {
      int left = total;
      do {
        int n = Math.min(left, NoiseConstants.MAX_PLAINTEXT_BYTES);
        int at = out.writerIndex();
        out.writerIndex(at + 2);
        int ct = encrypt.encryptInto(pending.array(), pending.arrayOffset() + pending.readerIndex(), n,
            out.array(), out.arrayOffset() + at + 2);
        out.setShort(at, ct);
        out.writerIndex(at + 2 + ct);
        pending.skipBytes(n);
        left -= n;
      } while (left > 0);
    } catch (NoiseException e) {
      out.release();
      promise.tryFailure(e);
      dropPending(e);
      ctx.close();
      return;
    }
    pending.discardSomeReadBytes();
    ctx.write(out, promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    dropPending(new java.nio.channels.ClosedChannelException());
    ctx.close(promise);
  }

  private void dropPending(Throwable cause) {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    for (ChannelPromise p : pendingPromises) {
      p.tryFailure(cause);
    }
    pendingPromises.clear();
  }
}
