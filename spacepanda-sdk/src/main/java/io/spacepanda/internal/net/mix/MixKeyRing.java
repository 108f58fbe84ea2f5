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
    final ReplayCache tags;

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
    this.current = newKey(1);
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

  /** @return whether the current key's replay cache is full */
  synchronized boolean exhausted() {
    return current.tags.full();
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
    return key.tags.add(tag);
  }
}
