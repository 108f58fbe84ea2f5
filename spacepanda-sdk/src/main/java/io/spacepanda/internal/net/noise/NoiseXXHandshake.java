package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.util.Arrays;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * The Noise XX handshake pattern for 25519/ChaChaPoly/SHA256 (Noise spec rev 34, §7.5):
 * {@code -> e; <- e, ee, s, es; -> s, se}.
 *
 * <p>Design: a pure state machine over whole messages (no framing, no I/O) so that known-answer
 * vectors can drive it with fixed keys; the Netty handler adds the libp2p framing and payload.
 * Each side alternates {@link #writeMessage} and {@link #readMessage} in pattern order; after the
 * third message {@link #split()} yields the transport ciphers. An all-zero Diffie-Hellman output
 * (a low-order remote key) fails the handshake. Not thread-safe.
 */
final class NoiseXXHandshake {

  private final boolean initiator;
  private final SymmetricState ss;
  private final X25519PrivateKeyParameters s;
  private final X25519PrivateKeyParameters e;
  private byte[] rs;
  private byte[] re;
  private int step;

  NoiseXXHandshake(
      boolean initiator, byte[] prologue, X25519PrivateKeyParameters s, X25519PrivateKeyParameters e) {
    this.initiator = initiator;
    this.s = s;
    this.e = e;
    this.ss = new SymmetricState(NoiseConstants.PROTOCOL_NAME);
    ss.mixHash(prologue);
  }

  boolean isInitiator() {
    return initiator;
  }

  /** Returns whether the next call must be {@link #writeMessage} (rather than read). */
  boolean isMyTurn() {
    return (step % 2 == 0) == initiator;
  }

  boolean isComplete() {
    return step >= 3;
  }

  byte[] localStaticPublic() {
    return s.generatePublicKey().getEncoded();
  }

  byte[] remoteStaticPublic() {
    return rs == null ? null : rs.clone();
  }

  byte[] handshakeHash() {
    return ss.handshakeHash();
  }

  byte[] writeMessage(byte[] payload) throws NoiseException {
    if (isComplete() || !isMyTurn()) {
      throw new IllegalStateException("not this side's turn to write");
    }
    Appender out = new Appender();
    switch (step) {
      case 0: // -> e
        writeE(out);
        break;
      case 1: // <- e, ee, s, es
        writeE(out);
        ss.mixKey(dh(e, re));
        out.add(ss.encryptAndHash(localStaticPublic()));
        ss.mixKey(dh(s, re));
        break;
      case 2: // -> s, se
        out.add(ss.encryptAndHash(localStaticPublic()));
        ss.mixKey(dh(s, re));
        break;
      default:
        throw new IllegalStateException("handshake complete");
    }
    out.add(ss.encryptAndHash(payload));
    step++;
    byte[] msg = out.toByteArray();
    if (msg.length > NoiseConstants.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("handshake payload too large");
    }
    return msg;
  }

  byte[] readMessage(byte[] message) throws NoiseException {
    if (isComplete() || isMyTurn()) {
      throw new NoiseException(Kind.MALFORMED, "unexpected handshake message");
    }
    int pos = 0;
    switch (step) {
      case 0: // -> e
        re = take(message, pos, NoiseConstants.KEY_BYTES);
        pos += NoiseConstants.KEY_BYTES;
        ss.mixHash(re);
        break;
      case 1: { // <- e, ee, s, es
        re = take(message, pos, NoiseConstants.KEY_BYTES);
        pos += NoiseConstants.KEY_BYTES;
        ss.mixHash(re);
        ss.mixKey(dh(e, re));
        int len = NoiseConstants.KEY_BYTES + NoiseConstants.TAG_BYTES;
        rs = ss.decryptAndHash(take(message, pos, len));
        pos += len;
        ss.mixKey(dh(e, rs));
        break;
      }
      case 2: { // -> s, se
        int len = NoiseConstants.KEY_BYTES + NoiseConstants.TAG_BYTES;
        rs = ss.decryptAndHash(take(message, pos, len));
        pos += len;
        ss.mixKey(dh(e, rs));
        break;
      }
      default:
        throw new IllegalStateException("handshake complete");
    }
    byte[] payload = ss.decryptAndHash(Arrays.copyOfRange(message, pos, message.length));
    step++;
    return payload;
  }

  /** Returns {initiator-to-responder, responder-to-initiator} ciphers (§5.2 Split). */
  CipherState[] split() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
    return ss.split();
  }

  private void writeE(Appender out) {
    byte[] pub = e.generatePublicKey().getEncoded();
    out.add(pub);
    ss.mixHash(pub);
  }

  private static byte[] take(byte[] m, int pos, int len) throws NoiseException {
    if (m.length - pos < len) {
      throw new NoiseException(Kind.MALFORMED, "handshake message too short");
    }
    return Arrays.copyOfRange(m, pos, pos + len);
  }

  private static byte[] dh(X25519PrivateKeyParameters priv, byte[] pub) throws NoiseException {
    byte[] out = new byte[NoiseConstants.KEY_BYTES];
    try {
      priv.generateSecret(new X25519PublicKeyParameters(pub, 0), out, 0);
    } catch (RuntimeException e) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed", e);
    }
    int acc = 0;
    for (byte b : out) {
      acc |= b;
    }
    if (acc == 0) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    return out;
  }

  private static final class Appender {
    private byte[] buf = new byte[0];

    void add(byte[] b) {
      byte[] n = Arrays.copyOf(buf, buf.length + b.length);
      System.arraycopy(b, 0, n, buf.length, b.length);
      buf = n;
    }

    byte[] toByteArray() {
      return buf;
    }
  }
}
