package io.spacepanda.internal.net.mix;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A mix node's X25519 keys: the current one, which senders build packets for, and the previous
 * one, still accepted for a grace period so that packets built just before a rotation arrive.
 * Each key has its own bounded {@link ReplayCache}; a retired key's cache goes with it.
 *
 * <p>Rotation is up to the owner ({@link MixNode} rotates on a period and when the current key's
 * cache is full) and publishes the new public key through the {@link MixDirectory}. Thread-safe.
 */
public final class MixKeyRing {

  /** Default number of packet tags one key remembers before it must rotate. */
  public static final int DEFAULT_TAGS_PER_KEY = 200_000;

  /** One X25519 key of a mix node and the tags of the packets it processed. */
  static final class Key {
    final long id;
    final byte[] privateKey;
    final byte[] publicKey;
    ReplayCache tags;
    /** A static key's tags before its cache last filled; null for a rotating key. */
    ReplayCache older;

    Key(long id, byte[] privateKey, int capacity) {
      this.id = id;
      this.privateKey = privateKey;
      this.publicKey = new byte[X25519.POINT_SIZE];
      X25519.scalarMultBase(privateKey, 0, publicKey, 0);
      this.tags = new ReplayCache(capacity);
    }
  }

  private final SecureRandom random;
  private final int tagsPerKey;
  private final boolean fixed;
  private Key current;
  private Key previous;

  /**
   * Creates a ring with a fresh key.
   *
   * @param random source of key material
   * @param tagsPerKey replay-cache capacity of each key, at least 1
   */
  public MixKeyRing(SecureRandom random, int tagsPerKey) {
    this.random = Objects.requireNonNull(random, "random");
    this.tagsPerKey = tagsPerKey;
    this.fixed = false;
    this.current = newKey(1);
  }

  /**
   * Creates a ring that holds one fixed key and never rotates it: the X25519 form of the node's
   * Ed25519 identity ({@link #privateKeyFromEd25519Seed}), whose public half every peer computes
   * from the node's peer id ({@link #publicKeyFromEd25519}), so no key has to be published. Its
   * replay tags roll over: when the cache is full it becomes the older generation and a fresh
   * one starts, so the last {@code tagsPerKey} to {@code 2 × tagsPerKey} packets are always
   * remembered.
   *
   * @param privateKey the 32-byte X25519 private key
   * @param tagsPerKey replay-cache capacity of one generation, at least 1
   */
  public MixKeyRing(byte[] privateKey, int tagsPerKey) {
    if (privateKey.length != X25519.SCALAR_SIZE) {
      throw new IllegalArgumentException("mix private key must be 32 bytes");
    }
    this.random = null;
    this.tagsPerKey = tagsPerKey;
    this.fixed = true;
    this.current = new Key(1, privateKey.clone(), tagsPerKey);
  }

  /** @return whether this ring holds one fixed key that never rotates */
  public boolean fixed() {
    return fixed;
  }

  /**
   * Returns the X25519 private key of an Ed25519 seed: the first 32 bytes of SHA-512(seed), the
   * Ed25519 secret scalar before clamping (RFC 8032 §5.1.5), which X25519 clamps the same way.
   *
   * @param seed the 32-byte Ed25519 seed
   * @return the X25519 private key
   */
  public static byte[] privateKeyFromEd25519Seed(byte[] seed) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-512").digest(seed);
      byte[] sk = java.util.Arrays.copyOf(h, X25519.SCALAR_SIZE);
      java.util.Arrays.fill(h, (byte) 0);
      return sk;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the X25519 public key of an Ed25519 public key: the birational map from edwards25519
   * to curve25519, u = (1 + y) / (1 − y) mod p (RFC 7748 §4.1).
   *
   * @param ed25519PublicKey the 32-byte Ed25519 public key
   * @return the 32-byte X25519 public key (little-endian u)
   * @throws IllegalArgumentException if the key is not 32 bytes or y = 1
   */
  public static byte[] publicKeyFromEd25519(byte[] ed25519PublicKey) {
    if (ed25519PublicKey.length != 32) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
    }
    java.math.BigInteger p = java.math.BigInteger.TWO.pow(255).subtract(java.math.BigInteger.valueOf(19));
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = ed25519PublicKey[31 - i];
    }
    be[0] &= 0x7f;
    java.math.BigInteger y = new java.math.BigInteger(1, be).mod(p);
    java.math.BigInteger den = java.math.BigInteger.ONE.subtract(y).mod(p);
    if (den.signum() == 0) {
      throw new IllegalArgumentException("Ed25519 public key is the identity point");
    }
    java.math.BigInteger u = java.math.BigInteger.ONE.add(y).multiply(den.modInverse(p)).mod(p);
    byte[] ub = u.toByteArray();
    byte[] out = new byte[32];
    for (int i = 0; i < Math.min(32, ub.length); i++) {
      out[i] = ub[ub.length - 1 - i];
    }
    return out;
  }

  private Key newKey(long id) {
    byte[] sk = new byte[X25519.SCALAR_SIZE];
    random.nextBytes(sk);
    return new Key(id, sk, tagsPerKey);
  }

  /**
   * Returns the public key senders should use now.
   *
   * @return a fresh copy of the current 32-byte X25519 public key
   */
  public synchronized byte[] publicKey() {
    return current.publicKey.clone();
  }

  /**
   * Returns the id of the current key (1, 2, 3, … in rotation order).
   *
   * @return the id
   */
  public synchronized long keyId() {
    return current.id;
  }

  /**
   * Makes a fresh key current; the current one becomes the previous one and the one before is
   * forgotten with its replay cache.
   *
   * @return the new public key
   */
  public synchronized byte[] rotate() {
    if (fixed) {
      return current.publicKey.clone();
    }
    previous = current;
    current = newKey(current.id + 1);
    return current.publicKey.clone();
  }

  /** Stops accepting the previous key (its grace period is over). */
  public synchronized void retirePrevious() {
    previous = null;
  }

  /** Forgets the current key's replay tags; only for benchmarks that process one packet again. */
  synchronized void forgetTagsForBenchmark() {
    current = new Key(current.id, current.privateKey, tagsPerKey);
  }

  /**
   * Returns how many replay tags the ring holds now, over all its keys: bounded by two keys'
   * capacity, since a retired key's tags go with it.
   *
   * @return the count
   */
  public synchronized int tagCount() {
    int n = current.tags.size() + (current.older == null ? 0 : current.older.size());
    if (previous != null) {
      n += previous.tags.size() + (previous.older == null ? 0 : previous.older.size());
    }
    return n;
  }

  /** @return whether the previous key is still accepted */
  public synchronized boolean hasPrevious() {
    return previous != null;
  }

  /** @return whether the current key's replay cache is full */
  synchronized boolean exhausted() {
    return !fixed && current.tags.full();
  }

  /** @return the keys to try, current first */
  synchronized List<Key> candidates() {
    List<Key> keys = new ArrayList<>(2);
    keys.add(current);
    if (previous != null) {
      keys.add(previous);
    }
    return keys;
  }

  /** Records a tag under a key; see {@link ReplayCache#add}. */
  synchronized ReplayCache.Added record(Key key, byte[] tag) {
    if (!fixed) {
      return key.tags.add(tag);
    }
    if (key.older != null && key.older.contains(tag)) {
      return ReplayCache.Added.REPLAY;
    }
    ReplayCache.Added a = key.tags.add(tag);
    if (a == ReplayCache.Added.FULL) {
      key.older = key.tags;
      key.tags = new ReplayCache(tagsPerKey);
      a = key.tags.add(tag);
    }
    return a;
  }
}
