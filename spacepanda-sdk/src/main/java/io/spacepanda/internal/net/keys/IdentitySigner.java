package io.spacepanda.internal.net.keys;

import io.spacepanda.internal.crypto.IdentityKey;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The local node's libp2p identity as the network stack needs it: the public key it presents
 * and a way to sign with the private half, which stays inside the implementation.
 *
 * <p>Implementations are thread-safe.
 */
public interface IdentitySigner {

  /**
   * Returns the identity's public key.
   *
   * @return the public key presented to peers
   */
  Libp2pPublicKey publicKey();

  /**
   * Signs {@code message} with the identity's private key.
   *
   * @param message the bytes to sign
   * @return the signature in the key type's libp2p format
   */
  byte[] sign(byte[] message);

  /**
   * Returns a signer over an Ed25519 key given as its 32-byte seed.
   *
   * @param seed the private seed; copied
   * @return the signer; its {@code toString()} shows only the public key type
   */
  static IdentitySigner ed25519(byte[] seed) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
    }
    Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(seed, 0);
    Libp2pPublicKey pub = Libp2pPublicKey.ed25519(priv.generatePublicKey().getEncoded());
    return new IdentitySigner() {
      @Override
      public Libp2pPublicKey publicKey() {
        return pub;
      }

      @Override
      public byte[] sign(byte[] message) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, priv);
        s.update(message, 0, message.length);
        return s.generateSignature();
      }

      @Override
      public String toString() {
        return "IdentitySigner{ED25519}";
      }
    };
  }

  /**
   * Returns a signer backed by the node's identity key.
   *
   * @param key the node's Ed25519 identity key
   * @return the signer
   */
  static IdentitySigner of(IdentityKey key) {
    Objects.requireNonNull(key, "key");
    Libp2pPublicKey pub = Libp2pPublicKey.ed25519(key.publicKey());
    return new IdentitySigner() {
      @Override
      public Libp2pPublicKey publicKey() {
        return pub;
      }

      @Override
      public byte[] sign(byte[] message) {
        return key.sign(message);
      }

      @Override
      public String toString() {
        return "IdentitySigner{ED25519}";
      }
    };
  }

  /**
   * Returns a signer over a fresh Ed25519 key.
   *
   * @param random the randomness source
   * @return the signer
   */
  static IdentitySigner generateEd25519(SecureRandom random) {
    byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
    random.nextBytes(seed);
    return ed25519(seed);
  }
}
