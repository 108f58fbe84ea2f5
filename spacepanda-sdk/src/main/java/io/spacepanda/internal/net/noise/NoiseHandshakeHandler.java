package io.spacepanda.internal.net.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.KeyDecodeException;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * Runs the libp2p Noise XX handshake on a Netty channel, then replaces itself with a {@link
 * NoiseTransportCodec}.
 *
 * <p>Design (libp2p/specs noise/README.md): a fresh X25519 static key per connection; an empty
 * prologue; the first message carries an empty payload, the responder's identity payload rides in
 * the second message and the initiator's in the third; each payload holds the identity key, its
 * signature over {@code "noise-libp2p-static-key:" + static key}, and the local stream muxers
 * (early muxer negotiation). The remote signature is checked against the Noise static key the peer
 * proved, and the derived peer id against the expected one when this side dialed.
 *
 * <p>On success the codec is added after this handler, {@link Listener#onSecured} runs (so the
 * listener can install the muxer at the pipeline's tail), bytes that followed the last handshake
 * message enter the codec, and this handler leaves the pipeline. On failure {@link
 * Listener#onFailed} runs and the channel is closed. Not sharable; event-loop confined.
 */
public final class NoiseHandshakeHandler extends ChannelInboundHandlerAdapter {

  /** Receives the handshake's outcome on the channel's event loop. */
  public interface Listener {
    /**
     * Reports an authenticated session; the transport codec is already in the pipeline.
     *
     * @param ctx the handshake handler's context (about to be removed)
     * @param session the session
     */
    void onSecured(ChannelHandlerContext ctx, SecureSession session);

    /**
     * Reports that the handshake failed; the channel is closed afterwards.
     *
     * @param cause a {@link NoiseException} or the channel's failure
     */
    void onFailed(Throwable cause);
  }

  private final NoiseXXHandshake hs;
  private final IdentitySigner identity;
  private final byte[] expectedPeerId;
  private final List<String> localMuxers;
  private final Listener listener;
  private ByteBuf cumulation;
  private List<String> remoteMuxers = List.of();
  private Libp2pPublicKey remoteKey;
  private boolean started;
  private boolean finished;
  private boolean failed;

  /**
   * Creates the handler.
   *
   * @param initiator whether this side dialed
   * @param identity the local identity that signs the static key
   * @param random source of the per-connection static and ephemeral keys
   * @param expectedPeerIdOrNull the peer id multihash the dialer expects, or null to accept any
   * @param localMuxers stream muxers to offer for early negotiation, in preference order (may be empty)
   * @param listener receives the outcome
   */
  public NoiseHandshakeHandler(
      boolean initiator,
      IdentitySigner identity,
      SecureRandom random,
      byte[] expectedPeerIdOrNull,
      List<String> localMuxers,
      Listener listener) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.expectedPeerId = expectedPeerIdOrNull == null ? null : expectedPeerIdOrNull.clone();
    this.localMuxers = List.copyOf(localMuxers);
    this.listener = Objects.requireNonNull(listener, "listener");
    this.hs =
        new NoiseXXHandshake(
            initiator, new byte[0], new X25519PrivateKeyParameters(random), new X25519PrivateKeyParameters(random));
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
    if (hs.isInitiator()) {
      try {
        send(ctx, new byte[0]);
      } catch (NoiseException e) {
        fail(ctx, e);
      }
    }
  }

  private void send(ChannelHandlerContext ctx, byte[] payload) throws NoiseException {
    byte[] msg = hs.writeMessage(payload);
    ByteBuf out = ctx.alloc().buffer(2 + msg.length);
    out.writeShort(msg.length);
    out.writeBytes(msg);
    ctx.writeAndFlush(out);
  }

  private byte[] localPayload() {
    byte[] staticKey = hs.localStaticPublic();
    byte[] signed = concat(NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX, staticKey);
    return new HandshakePayload(identity.publicKey().encoded(), identity.sign(signed), localMuxers).encode();
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
    try {
      while (!hs.isComplete() && cumulation.readableBytes() >= 2) {
        int len = cumulation.getUnsignedShort(cumulation.readerIndex());
        if (cumulation.readableBytes() < 2 + len) {
          return;
        }
        cumulation.skipBytes(2);
        byte[] frame = new byte[len];
        cumulation.readBytes(frame);
        byte[] payload = hs.readMessage(frame);
        // Message 2 (read by the initiator) and message 3 (read by the responder) carry identities.
        if (hs.isInitiator() || hs.isComplete()) {
          acceptRemotePayload(payload);
        }
        if (!hs.isComplete()) {
          send(ctx, localPayload());
        }
      }
      if (hs.isComplete()) {
        complete(ctx);
      }
    } catch (NoiseException e) {
      fail(ctx, e);
    }
  }

  private void acceptRemotePayload(byte[] bytes) throws NoiseException {
    HandshakePayload p = HandshakePayload.decode(bytes);
    Libp2pPublicKey key;
    try {
      key = Libp2pPublicKey.decode(p.identityKey());
    } catch (KeyDecodeException e) {
      throw new NoiseException(Kind.BAD_PAYLOAD, "invalid identity key", e);
    }
    byte[] signed = concat(NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX, hs.remoteStaticPublic());
    if (!key.verify(signed, p.identitySig())) {
      throw new NoiseException(Kind.BAD_PAYLOAD, "invalid identity signature");
    }
    if (expectedPeerId != null && !Arrays.equals(expectedPeerId, key.peerIdMultihash())) {
      throw new NoiseException(Kind.PEER_ID_MISMATCH, "remote peer id differs from the one dialed");
    }
    remoteKey = key;
    remoteMuxers = p.streamMuxers();
  }

  private void complete(ChannelHandlerContext ctx) throws NoiseException {
    finished = true;
    String early =
        hs.isInitiator()
            ? SecureSession.chooseEarlyMuxer(localMuxers, remoteMuxers)
            : SecureSession.chooseEarlyMuxer(remoteMuxers, localMuxers);
    CipherState[] c = hs.split();
    NoiseTransportCodec codec =
        hs.isInitiator() ? new NoiseTransportCodec(c[0], c[1]) : new NoiseTransportCodec(c[1], c[0]);
    ctx.pipeline().addAfter(ctx.name(), "noise-transport", codec);
    listener.onSecured(ctx, new SecureSession(hs.isInitiator(), remoteKey, remoteMuxers, early));
    ByteBuf rest = cumulation;
    cumulation = null;
    if (rest.isReadable()) {
      ctx.fireChannelRead(rest);
    } else {
      rest.release();
    }
    ctx.pipeline().remove(this);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      finished = true;
      listener.onFailed(new NoiseException(Kind.MALFORMED, "connection closed during handshake"));
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

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
