package io.spacepanda.internal.net.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.keys.IdentitySigner;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Java-to-Java Noise handshakes over in-memory Netty channels. */
class NoiseHandshakeHandlerTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final class Outcome implements NoiseHandshakeHandler.Listener {
    final AtomicReference<SecureSession> session = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public void onSecured(ChannelHandlerContext ctx, SecureSession s) {
      session.set(s);
    }

    @Override
    public void onFailed(Throwable cause) {
      failure.set(cause);
    }
  }

  /** Moves outbound bytes of each channel into the other until both are quiet. */
  private static void pump(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (EmbeddedChannel[] pair : new EmbeddedChannel[][] {{a, b}, {b, a}}) {
        Object o;
        while ((o = pair[0].readOutbound()) != null) {
          moved = true;
          if (pair[1].isOpen()) {
            pair[1].writeInbound(o);
          } else {
            ((ByteBuf) o).release();
          }
        }
      }
    }
  }

  private static byte[] readAll(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    Object o;
    while ((o = ch.readInbound()) != null) {
      all.writeBytes((ByteBuf) o);
      ((ByteBuf) o).release();
    }
    return ByteBufUtil.getBytes(all);
  }

  @Test
  void handshake_bothListMuxers_authenticatesAndChoosesInitiatorsFirstCommon() throws Exception {
    IdentitySigner alice = IdentitySigner.generateEd25519(RANDOM);
    IdentitySigner bob = IdentitySigner.generateEd25519(RANDOM);
    Outcome ao = new Outcome();
    Outcome bo = new Outcome();
    EmbeddedChannel a = new EmbeddedChannel(new NoiseHandshakeHandler(true, alice, RANDOM,
        bob.publicKey().peerIdMultihash(), List.of("/mplex/6.7.0", "/yamux/1.0.0"), ao));
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false, bob, RANDOM, null,
        List.of("/yamux/1.0.0", "/mplex/6.7.0"), bo));
    pump(a, b);
    assertEquals(bob.publicKey(), ao.session.get().remoteKey());
    assertEquals(alice.publicKey(), bo.session.get().remoteKey());
    assertEquals("/mplex/6.7.0", ao.session.get().earlyMuxerOrNull());
    assertEquals("/mplex/6.7.0", bo.session.get().earlyMuxerOrNull());

    byte[] big = new byte[200_000];
    RANDOM.nextBytes(big);
    a.writeAndFlush(Unpooled.wrappedBuffer(big));
    b.writeAndFlush(Unpooled.wrappedBuffer("pong".getBytes()));
    pump(a, b);
    assertArrayEquals(big, readAll(b));
    assertArrayEquals("pong".getBytes(), readAll(a));
  }

  @Test
  void handshake_oneSideListsNoMuxer_leavesMuxerToMultistream() {
    Outcome ao = new Outcome();
    Outcome bo = new Outcome();
    EmbeddedChannel a = new EmbeddedChannel(new NoiseHandshakeHandler(true,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of("/yamux/1.0.0"), ao));
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    pump(a, b);
    assertNull(ao.session.get().earlyMuxerOrNull());
    assertNull(bo.session.get().earlyMuxerOrNull());
    assertEquals(List.of("/yamux/1.0.0"), bo.session.get().remoteMuxers());
  }

  @Test
  void handshake_wrongExpectedPeer_failsAndCloses() {
    Outcome ao = new Outcome();
    Outcome bo = new Outcome();
    IdentitySigner someoneElse = IdentitySigner.generateEd25519(RANDOM);
    EmbeddedChannel a = new EmbeddedChannel(new NoiseHandshakeHandler(true,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, someoneElse.publicKey().peerIdMultihash(), List.of(), ao));
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    pump(a, b);
    assertEquals(NoiseException.Kind.PEER_ID_MISMATCH, ((NoiseException) ao.failure.get()).kind());
    assertFalse(a.isOpen());
    assertNull(bo.session.get());
  }

  @Test
  void transport_tamperedFrame_closesChannel() {
    Outcome ao = new Outcome();
    Outcome bo = new Outcome();
    EmbeddedChannel a = new EmbeddedChannel(new NoiseHandshakeHandler(true,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), ao));
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    pump(a, b);
    a.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    ByteBuf frame = a.readOutbound();
    frame.setByte(4, frame.getByte(4) ^ 1);
    try {
      b.writeInbound(frame);
    } catch (Exception expected) {
      assertTrue(expected instanceof NoiseException);
    }
    assertFalse(b.isOpen());
  }

  /** Drives the initiator side by hand so that its payload can lie about its identity. */
  @Test
  void handshake_signatureByAnotherKey_failsBadPayload() throws Exception {
    Outcome bo = new Outcome();
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    org.bouncycastle.crypto.params.X25519PrivateKeyParameters s =
        new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(RANDOM);
    NoiseXXHandshake i = new NoiseXXHandshake(true, new byte[0], s,
        new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(RANDOM));
    b.writeInbound(frame(i.writeMessage(new byte[0])));
    ByteBuf m2 = b.readOutbound();
    m2.skipBytes(2);
    i.readMessage(ByteBufUtil.getBytes(m2));
    m2.release();
    IdentitySigner claimed = IdentitySigner.generateEd25519(RANDOM);
    IdentitySigner actual = IdentitySigner.generateEd25519(RANDOM);
    byte[] signed = new byte[NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX.length + 32];
    System.arraycopy(NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX, 0, signed, 0, NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX.length);
    System.arraycopy(s.generatePublicKey().getEncoded(), 0, signed, NoiseConstants.STATIC_KEY_SIGNATURE_PREFIX.length, 32);
    byte[] payload = new HandshakePayload(claimed.publicKey().encoded(), actual.sign(signed), List.of()).encode();
    try {
      b.writeInbound(frame(i.writeMessage(payload)));
    } catch (Exception ignored) {
      // the handler may surface the failure as an exception
    }
    assertEquals(NoiseException.Kind.BAD_PAYLOAD, ((NoiseException) bo.failure.get()).kind());
    assertNull(bo.session.get());
    assertFalse(b.isOpen());
  }

  private static ByteBuf frame(byte[] msg) {
    return Unpooled.buffer().writeShort(msg.length).writeBytes(msg);
  }

  @Property(tries = 200)
  void randomFirstMessage_failsTypedOrWaits(@ForAll @Size(max = 300) byte[] junk) {
    Outcome bo = new Outcome();
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    try {
      b.writeInbound(Unpooled.wrappedBuffer(junk));
    } catch (Exception e) {
      assertTrue(e instanceof NoiseException);
    }
    assertNull(bo.session.get());
    Throwable f = bo.failure.get();
    assertTrue(f == null || f instanceof NoiseException, String.valueOf(f));
    b.finishAndReleaseAll();
  }

  @Property(tries = 200)
  void payload_roundTrip(@ForAll @Size(max = 64) byte[] key, @ForAll @Size(max = 80) byte[] sig,
      @ForAll @Size(max = 4) List<@AlphaChars @StringLength(max = 30) String> muxers) throws Exception {
    HandshakePayload p = new HandshakePayload(key, sig, muxers);
    assertEquals(p, HandshakePayload.decode(p.encode()));
  }

  @Property(tries = 500)
  void payload_randomBytes_decodeOrFailTyped(@ForAll @Size(max = 200) byte[] bytes) {
    try {
      HandshakePayload.decode(bytes);
    } catch (NoiseException expected) {
      assertEquals(NoiseException.Kind.BAD_PAYLOAD, expected.kind());
    }
  }
}
