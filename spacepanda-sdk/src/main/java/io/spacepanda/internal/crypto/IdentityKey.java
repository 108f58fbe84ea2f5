package io.spacepanda.internal.crypto;

import io.spacepanda.PeerId;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A node's Ed25519 identity key pair: it signs for the node and its public half is the node's
 * {@link PeerId}.
 *
 * <p>Serialized form ({@link #exportPrivate()} / {@link #restore(SecretBytes)}): the libp2p {@code
 * PrivateKey} protobuf (peer-ids spec, "Keys" and "Ed25519"), {@code 08 01 12 40 ‖ seed(32) ‖
 * public(32)}, so a key file interoperates with other libp2p implementations. Only this exact
 * encoding is accepted, and the embedded public key must match the seed.
 *
 * <p>Signatures are plain RFC 8032 Ed25519 (deterministic). Instances are immutable and
 * thread-safe. {@code toString()} shows the peer id only; the private key leaves this object only
 * through {@link #exportPrivate()} and {@link #exportSeed()}.
 */
public final class IdentityKey {

  /** Length of an Ed25519 private key seed. */
  public static final int SEED_LENGTH = 32;

  /** Length of an Ed25519 public key. */
  public static final int PUBLIC_KEY_LENGTH = 32;

  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = 64;

  // libp2p PrivateKey { Type = Ed25519 (1), Data = 64 bytes }.
  private static final byte[] PRIVATE_KEY_PREFIX = {0x08, 0x01, 0x12, 0x40};
  private static final int SERIALIZED_LENGTH = PRIVATE_KEY_PREFIX.length + SEED_LENGTH + PUBLIC_KEY_LENGTH;

  private final Ed25519PrivateKeyParameters privateKey;
  private final byte[] publicKey;
  private final PeerId peerId;

  private IdentityKey(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.generatePublicKey().getEncoded();
    this.peerId = PeerId.fromPublicKey(publicKey);
  }

  /**
   * Generates a fresh identity key.
   *
   * @param random a cryptographically secure source of randomness
   * @return the new key pair
   */
  public static IdentityKey generate(SecureRandom random) {
    return new IdentityKey(new Ed25519PrivateKeyParameters(Objects.requireNonNull(random, "random")));
  }

  /**
   * Rebuilds an identity key from its 32-byte RFC 8032 private key seed.
   *
   * @param seed the seed
   * @return the key pair
   * @throws KeyFormatException if the seed is not 32 bytes long
   */
  public static IdentityKey fromSeed(SecretBytes seed) throws KeyFormatException {
    Objects.requireNonNull(seed, "seed");
    if (seed.length() != SEED_LENGTH) {
      throw new KeyFormatException("Ed25519 seed must be 32 bytes");
    }
    byte[] raw = seed.exportSecret();
    try {
      return new IdentityKey(new Ed25519PrivateKeyParameters(raw, 0));
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Restores an identity key from the form {@link #exportPrivate()} produced.
   *
   * @param serialized the libp2p {@code PrivateKey} protobuf of an Ed25519 key
   * @return the key pair
   * @throws KeyFormatException if the bytes are not that exact encoding or the public key in it
   *     does not belong to the seed
   */
  public static IdentityKey restore(SecretBytes serialized) throws KeyFormatException {
    Objects.requireNonNull(serialized, "serialized");
    byte[] raw = serialized.exportSecret();
    try {
      if (raw.length != SERIALIZED_LENGTH
          || !Arrays.equals(raw, 0, PRIVATE_KEY_PREFIX.length, PRIVATE_KEY_PREFIX, 0, PRIVATE_KEY_PREFIX.length)) {
        throw new KeyFormatException("not a libp2p Ed25519 private key");
      }
      IdentityKey key = new IdentityKey(new Ed25519PrivateKeyParameters(raw, PRIVATE_KEY_PREFIX.length));
      byte[] embedded = Arrays.copyOfRange(raw, PRIVATE_KEY_PREFIX.length + SEED_LENGTH, SERIALIZED_LENGTH);
      if (!MessageDigest.isEqual(embedded, key.publicKey)) {
        throw new KeyFormatException("not a libp2p Ed25519 private key");
      }
      return key;
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Serializes the key pair, private half included, as a libp2p {@code PrivateKey} protobuf.
   *
   * @return the serialized key; store it encrypted
   */
  public SecretBytes exportPrivate() {
    byte[] raw = new byte[SERIALIZED_LENGTH];
    System.arraycopy(PRIVATE_KEY_PREFIX, 0, raw, 0, PRIVATE_KEY_PREFIX.length);
    privateKey.encode(raw, PRIVATE_KEY_PREFIX.length);
    System.arraycopy(publicKey, 0, raw, PRIVATE_KEY_PREFIX.length + SEED_LENGTH, PUBLIC_KEY_LENGTH);
    try {
      return SecretBytes.copyOf(raw);
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Returns the 32-byte RFC 8032 private key seed.
   *
   * @return the seed
   */
  public SecretBytes exportSeed() {
    byte[] raw = privateKey.getEncoded();
    try {
      return SecretBytes.copyOf(raw);
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Returns the raw 32-byte Ed25519 public key.
   *
   * @return a fresh copy
   */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Returns the peer id derived from the public key.
   *
   * @return the peer id
   */
  public PeerId peerId() {
    return peerId;
  }

  /**
   * Signs a message with Ed25519 (RFC 8032 §5.1.6).
   *
   * @param message the message, not modified
   * @return the 64-byte signature
   */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * Verifies an Ed25519 signature by any public key.
   *
   * @param publicKey the 32-byte public key of the supposed signer
   * @param message the signed message
   * @param signature the signature
   * @return true if the signature is valid; false for any malformed key or signature
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    if (publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Verifies an Ed25519 signature by the node that owns {@code signer}.
   *
   * @param signer a peer id with an inlined Ed25519 key
   * @param message the signed message
   * @param signature the signature
   * @return true if valid; false also when the peer id carries no Ed25519 key
   */
  public static boolean verify(PeerId signer, byte[] message, byte[] signature) {
    Objects.requireNonNull(signer, "signer");
    return signer.ed25519PublicKey().map(k -> verify(k, message, signature)).orElse(false);
  }

  /**
   * Describes the key by its peer id only.
   *
   * @return {@code IdentityKey[12D3KooW…]}
   */
  @Override
  public String toString() {
    return "IdentityKey[" + peerId + "]";
  }
}
