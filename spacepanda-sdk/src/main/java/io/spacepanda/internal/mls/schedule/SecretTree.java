package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsGenerationAheadException;
import io.spacepanda.internal.mls.MlsReplayException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.tree.TreeMath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The secret tree of one epoch (RFC 9420 §9): per-leaf handshake and application hash ratchets
 * rooted at the epoch's {@code encryption_secret}, with the deletion schedule of §9.2.
 *
 * <p>Design. Node secrets are derived lazily from the root down ({@code ExpandWithLabel(secret,
 * "tree", "left"|"right", Nh)}); a node's secret is deleted as soon as both children's are known,
 * and a leaf's secret as soon as its two ratchets start. Each ratchet keeps only its next secret,
 * plus the keys of skipped generations for out-of-order messages. A key is deleted when it is
 * handed out, so asking for it again is a replay ({@link MlsReplayException}); this includes a
 * member's own sent messages. Bounds come from {@link SecretTreeLimits}: a generation further than
 * {@code maxForwardDistance} ahead is rejected before anything is derived, and each ratchet keeps at
 * most {@code maxSkippedKeysPerSender} skipped keys (only the newest ones are even derived). The
 * state is thus at most {@code 2·leaves} node secrets plus, per started leaf, two ratchets of
 * bounded size, and {@link #toBytes()} / {@link #fromBytes(byte[], SecretTreeLimits)} persist it
 * exactly.
 *
 * <p>Not thread-safe: confine an instance to the thread (or lock) that owns its group's state.
 * {@link #toString()} prints no secret.
 */
public final class SecretTree {

  /** Largest number of leaves a secret tree accepts (node indices stay below 2^31). */
  public static final int MAX_LEAVES = TreeMath.MAX_LEAVES;

  private static final int FORMAT_VERSION = 1;
  private static final long MAX_GENERATION = 0xFFFFFFFFL;
  private static final byte[] LEFT = "left".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RIGHT = "right".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY = new byte[0];

  private final CipherSuite suite;
  private final int leafCount;
  private final int root;
  private final SecretTreeLimits limits;
  /** Node index → secret, for nodes whose secret is known and whose children's are not. */
  private final TreeMap<Integer, byte[]> nodes = new TreeMap<>();
  /** Leaf index → [handshake, application] ratchets, for leaves that were started. */
  private final TreeMap<Integer, Ratchet[]> ratchets = new TreeMap<>();
  /** Ratchet secrets and message keys derived since this instance was made (not persisted). */
  private long derivations;

  private SecretTree(CipherSuite suite, int leafCount, SecretTreeLimits limits) {
    this.suite = suite;
    this.leafCount = leafCount;
    this.limits = limits;
    this.root = TreeMath.root(leafCount);
  }

  /**
   * Creates the secret tree of an epoch (RFC 9420 §9).
   *
   * @param suite the group's cipher suite
   * @param encryptionSecret the epoch's {@code encryption_secret} (the root's secret; copied)
   * @param leafCount the number of leaves of the ratchet tree, 1 to {@link #MAX_LEAVES}
   * @param limits the security bounds
   * @return the tree
   * @throws IllegalArgumentException if the leaf count or the secret's length is out of range
   */
  public static SecretTree create(CipherSuite suite, byte[] encryptionSecret, int leafCount,
      SecretTreeLimits limits) {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(limits, "limits");
    if (leafCount < 1 || leafCount > MAX_LEAVES) {
      throw new IllegalArgumentException("leafCount out of range: " + leafCount);
    }
    if (encryptionSecret.length != suite.hashLength()) {
      throw new IllegalArgumentException("encryptionSecret length " + encryptionSecret.length);
    }
    SecretTree t = new SecretTree(suite, leafCount, limits);
    t.nodes.put(t.root, encryptionSecret.clone());
    return t;
  }

  /**
   * Returns the cipher suite of this tree.
   *
   * @return the suite
   */
  public CipherSuite suite() {
    return suite;
  }

  /**
   * Returns the number of leaves this tree was created with.
   *
   * @return the leaf count
   */
  public int leafCount() {
    return leafCount;
  }

  /**
   * Returns the bounds this tree enforces.
   *
   * @return the limits
   */
  public SecretTreeLimits limits() {
    return limits;
  }

  /**
   * Returns how many ratchet steps and message keys this instance has derived since it was
   * created or restored: a deterministic measure of the work and memory a peer's message cost
   * (a rejected generation jump adds nothing).
   *
   * @return the number of {@code DeriveTreeSecret} ratchet steps plus message keys derived
   */
  public long derivationCount() {
    return derivations;
  }

  /**
   * Hands out the key for the next message that {@code leaf} sends and advances its ratchet; the key
   * is deleted from the tree, so this member cannot decrypt that message later either.
   *
   * @param leaf the sender's leaf index
   * @param type which ratchet
   * @return the key, nonce and generation to put in the SenderData
   * @throws MlsValidationException if the leaf is outside the tree or the ratchet is exhausted
   */
  public MessageKey nextEncryptionKey(int leaf, RatchetType type) throws MlsValidationException {
    Ratchet r = ratchet(leaf, type);
    if (r.next > MAX_GENERATION) {
      throw new MlsValidationException("ratchet exhausted");
    }
    long g = r.next;
    MessageKey key = keyAt(r.secret, g);
    r.replaceSecret(suite.deriveTreeSecret(r.secret, "secret", g, suite.hashLength()));
    derivations++;
    r.next = g + 1;
    return key;
  }

  /**
   * Hands out the key of {@code generation} of a leaf's ratchet for decryption, and deletes it.
   *
   * @param leaf the sender's leaf index
   * @param type which ratchet
   * @param generation the generation from the SenderData
   * @return the key
   * @throws MlsValidationException if the leaf is outside the tree or the generation is further
   *     ahead than {@link SecretTreeLimits#maxForwardDistance()}
   * @throws MlsReplayException if the key was already handed out or forgotten
   * @throws MlsGenerationAheadException if the limits do not evict skipped keys and the key
   *     cannot be had yet without forgetting earlier ones
   */
  public MessageKey decryptionKey(int leaf, RatchetType type, long generation)
      throws MlsValidationException, MlsReplayException, MlsGenerationAheadException {
    try {
      return withDecryptionKey(leaf, type, generation, k -> k);
    } catch (MlsValidationException | MlsReplayException | MlsGenerationAheadException e) {
      throw e;
    } catch (MlsException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Uses the key of {@code generation} of a leaf's ratchet and deletes it only if {@code use}
   * succeeds; if {@code use} throws (e.g. the AEAD tag is wrong), the tree is left as if the key had
   * never been asked for, so a forged message cannot burn a genuine message's key.
   *
   * @param leaf the sender's leaf index
   * @param type which ratchet
   * @param generation the generation from the SenderData
   * @param use what to do with the key, e.g. decrypt
   * @param <T> the result type
   * @return what {@code use} returned
   * @throws MlsValidationException if the leaf is outside the tree or the generation is further
   *     ahead than {@link SecretTreeLimits#maxForwardDistance()}
   * @throws MlsReplayException if the key was already handed out or forgotten
   * @throws MlsGenerationAheadException if the limits do not evict skipped keys and the key
   *     cannot be had yet without forgetting earlier ones (nothing changed)
   * @throws MlsException whatever {@code use} throws
   */
  public <T> T withDecryptionKey(int leaf, RatchetType type, long generation, KeyUse<T> use)
      throws MlsException {
    if (generation < 0 || generation > MAX_GENERATION) {
      throw new MlsValidationException("generation out of range");
    }
    checkLeaf(leaf);
    Ratchet[] started = ratchets.get(leaf);
    long next = started == null ? 0 : started[type.ordinal()].next;
    if (generation > next && generation - next > limits.maxForwardDistance()) {
      if (!limits.evictSkippedKeys()) {
        throw new MlsGenerationAheadException("generation too far ahead");
      }
      throw new MlsValidationException("generation too far ahead");
    }
    int skippedNow = started == null ? 0 : started[type.ordinal()].skipped.size();
    if (!limits.evictSkippedKeys() && generation > next
        && skippedNow + (generation - next) > limits.maxSkippedKeysPerSender()) {
      throw new MlsGenerationAheadException("earlier generations still missing");
    }
    // A forged message must not even start the leaf's ratchets: undo that if the key fails.
    Undo undo = started == null ? new Undo() : null;
    Ratchet r = ratchet(leaf, type, undo);
    try {
      T result = useKey(r, generation, use);
      if (undo != null) {
        undo.discard();
      }
      return result;
    } catch (MlsException | RuntimeException e) {
      if (undo != null) {
        undo.restore(leaf);
      }
      throw e;
    }
  }

  private <T> T useKey(Ratchet r, long generation, KeyUse<T> use) throws MlsException {
    if (generation < r.next) {
      MessageKey k = r.skipped.get(generation);
      if (k == null) {
        throw new MlsReplayException("key already used or deleted");
      }
      T result = use.apply(k);
      r.skipped.remove(generation);
      return result;
    }
    // Walk the ratchet forward on a scratch copy; only the newest skipped keys are kept.
    int keep = limits.maxSkippedKeysPerSender();
    List<MessageKey> skipped = new ArrayList<>((int) Math.min(keep, generation - r.next));
    byte[] secret = r.secret;
    for (long j = r.next; j < generation; j++) {
      if (generation - j <= keep) {
        skipped.add(keyAt(secret, j));
      }
      byte[] nextSecret = suite.deriveTreeSecret(secret, "secret", j, suite.hashLength());
      derivations++;
      if (secret != r.secret) {
        Arrays.fill(secret, (byte) 0);
      }
      secret = nextSecret;
    }
    MessageKey key = keyAt(secret, generation);
    byte[] after = suite.deriveTreeSecret(secret, "secret", generation, suite.hashLength());
    derivations++;
    if (secret != r.secret) {
      Arrays.fill(secret, (byte) 0);
    }
    T result;
    try {
      result = use.apply(key);
    } catch (MlsException | RuntimeException e) {
      Arrays.fill(after, (byte) 0);
      throw e;
    }
    for (MessageKey k : skipped) {
      r.skipped.put(k.generation(), k);
    }
    r.evict(keep);
    r.replaceSecret(after);
    r.next = generation + 1;
    return result;
  }

  /**
   * What to do with a decryption key before it is deleted.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface KeyUse<T> {
    /**
     * Uses the key.
     *
     * @param key the key
     * @return a result
     * @throws MlsException if the key does not open the message; the key is then kept
     */
    T apply(MessageKey key) throws MlsException;
  }

  private MessageKey keyAt(byte[] secret, long generation) {
    derivations++;
    return new MessageKey(generation,
        suite.deriveTreeSecret(secret, "key", generation, suite.aeadKeyLength()),
        suite.deriveTreeSecret(secret, "nonce", generation, suite.aeadNonceLength()));
  }

  private void checkLeaf(int leaf) throws MlsValidationException {
    if (leaf < 0 || leaf >= leafCount) {
      throw new MlsValidationException("leaf index outside the tree");
    }
  }

  private Ratchet ratchet(int leaf, RatchetType type) throws MlsValidationException {
    return ratchet(leaf, type, null);
  }

  private Ratchet ratchet(int leaf, RatchetType type, Undo undo) throws MlsValidationException {
    checkLeaf(leaf);
    Ratchet[] pair = ratchets.get(leaf);
    if (pair == null) {
      byte[] leafSecret = deriveLeafSecret(leaf, undo);
      pair = new Ratchet[] {
        new Ratchet(suite.expandWithLabel(leafSecret, RatchetType.HANDSHAKE.label(), EMPTY,
            suite.hashLength())),
        new Ratchet(suite.expandWithLabel(leafSecret, RatchetType.APPLICATION.label(), EMPTY,
            suite.hashLength()))
      };
      Arrays.fill(leafSecret, (byte) 0);
      ratchets.put(leaf, pair);
    }
    return pair[type.ordinal()];
  }

  /** Derives the leaf's secret down from the one known ancestor, deleting what it passes (§9.2). */
  private byte[] deriveLeafSecret(int leaf, Undo undo) {
    int target = TreeMath.leafToNode(leaf);
    int x = root;
    while (!nodes.containsKey(x)) {
      if (x == target) {
        throw new IllegalStateException("secret tree lost the secret of leaf " + leaf);
      }
      x = target < x ? TreeMath.left(x) : TreeMath.right(x);
    }
    byte[] secret = nodes.remove(x);
    if (undo != null) {
      undo.removedNode = x;
      undo.removedSecret = secret.clone();
    }
    while (x != target) {
      int l = TreeMath.left(x);
      int r = TreeMath.right(x);
      byte[] ls = suite.expandWithLabel(secret, "tree", LEFT, suite.hashLength());
      byte[] rs = suite.expandWithLabel(secret, "tree", RIGHT, suite.hashLength());
      Arrays.fill(secret, (byte) 0);
      if (undo != null) {
        undo.added.add(target < x ? r : l);
      }
      if (target < x) {
        nodes.put(r, rs);
        secret = ls;
        x = l;
      } else {
        nodes.put(l, ls);
        secret = rs;
        x = r;
      }
    }
    return secret;
  }

  /** What starting a leaf's ratchets changed, to put back if the first key fails (§9.2). */
  private final class Undo {
    int removedNode = -1;
    byte[] removedSecret;
    final List<Integer> added = new ArrayList<>();

    void restore(int leaf) {
      for (int n : added) {
        Arrays.fill(nodes.remove(n), (byte) 0);
      }
      if (removedNode >= 0) {
        nodes.put(removedNode, removedSecret);
      }
      Ratchet[] pair = ratchets.remove(leaf);
      if (pair != null) {
        for (Ratchet rt : pair) {
          Arrays.fill(rt.secret, (byte) 0);
        }
      }
    }

    void discard() {
      if (removedSecret != null) {
        Arrays.fill(removedSecret, (byte) 0);
      }
    }
  }

  private static final class Ratchet {
    long next;
    byte[] secret;
    /** Generation → key of skipped generations, oldest first. */
    final LinkedHashMap<Long, MessageKey> skipped = new LinkedHashMap<>();

    Ratchet(byte[] secret) {
      this.secret = secret;
    }

    void replaceSecret(byte[] s) {
      Arrays.fill(secret, (byte) 0);
      secret = s;
    }

    void evict(int keep) {
      Iterator<Map.Entry<Long, MessageKey>> it = skipped.entrySet().iterator();
      while (skipped.size() > keep && it.hasNext()) {
        it.next();
        it.remove();
      }
    }
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Encodes the whole state of this tree (a private format, version 1, not a wire structure).
   *
   * @return the encoding, which contains secrets in the clear; encrypt it at rest
   */
  public byte[] toBytes() {
    int nh = suite.hashLength();
    TlsWriter w = new TlsWriter(64 + nodes.size() * (nh + 6));
    w.u8(FORMAT_VERSION).u16(suite.id()).u32(leafCount);
    w.vector(body -> {
      for (Map.Entry<Integer, byte[]> e : nodes.entrySet()) {
        body.u32(e.getKey()).opaque(e.getValue());
      }
    });
    w.vector(body -> {
      for (Map.Entry<Integer, Ratchet[]> e : ratchets.entrySet()) {
        body.u32(e.getKey());
        for (Ratchet r : e.getValue()) {
          body.u32(r.next).opaque(r.secret);
          body.vector(keys -> {
            for (MessageKey k : r.skipped.values()) {
              keys.u32(k.generation()).opaque(k.key()).opaque(k.nonce());
            }
          });
        }
      }
    });
    return w.toByteArray();
  }

  /**
   * Restores a tree written by {@link #toBytes()}, checking every bound.
   *
   * @param bytes the encoding
   * @param limits the bounds the restored tree enforces; a state with more skipped keys per
   *     ratchet than they allow is rejected
   * @return the tree, in exactly the state it was saved in
   * @throws MlsDecodeException if the bytes are not a valid, consistent encoding
   */
  public static SecretTree fromBytes(byte[] bytes, SecretTreeLimits limits)
      throws MlsDecodeException {
    Objects.requireNonNull(limits, "limits");
    return TlsReader.decodeExactly(bytes, r -> {
      if (r.u8() != FORMAT_VERSION) {
        throw new MlsDecodeException("unknown secret tree format");
      }
      CipherSuite suite = CipherSuite.byId(r.u16())
          .orElseThrow(() -> new MlsDecodeException("unknown cipher suite"));
      long leaves = r.u32();
      if (leaves < 1 || leaves > MAX_LEAVES) {
        throw new MlsDecodeException("leaf count out of range");
      }
      SecretTree t = new SecretTree(suite, (int) leaves, limits);
      long width = 2L * (t.root + 1) - 1;
      int nh = suite.hashLength();
      TlsReader nodes = r.vectorReader();
      int last = -1;
      while (!nodes.isEmpty()) {
        long index = nodes.u32();
        if (index >= width || index <= last) {
          throw new MlsDecodeException("node index out of order or range");
        }
        last = (int) index;
        t.nodes.put(last, fixed(nodes, nh));
      }
      TlsReader leavesReader = r.vectorReader();
      last = -1;
      while (!leavesReader.isEmpty()) {
        long leaf = leavesReader.u32();
        if (leaf >= leaves || leaf <= last) {
          throw new MlsDecodeException("leaf index out of order or range");
        }
        last = (int) leaf;
        Ratchet[] pair = new Ratchet[2];
        for (int i = 0; i < 2; i++) {
          long next = leavesReader.u32();
          Ratchet rt = new Ratchet(fixed(leavesReader, nh));
          rt.next = next;
          TlsReader keys = leavesReader.vectorReader();
          long prev = -1;
          while (!keys.isEmpty()) {
            long g = keys.u32();
            if (g <= prev || g >= next || rt.skipped.size() >= limits.maxSkippedKeysPerSender()) {
              throw new MlsDecodeException("skipped key out of order or beyond the limit");
            }
            prev = g;
            rt.skipped.put(g, new MessageKey(g, fixed(keys, suite.aeadKeyLength()),
                fixed(keys, suite.aeadNonceLength())));
          }
          pair[i] = rt;
        }
        t.ratchets.put(last, pair);
      }
      return t;
    });
  }

  private static byte[] fixed(TlsReader r, int length) throws MlsDecodeException {
    byte[] b = r.opaque(length);
    if (b.length != length) {
      throw new MlsDecodeException("wrong secret length");
    }
    return b;
  }

  @Override
  public String toString() {
    return "SecretTree(" + suite + ", leaves=" + leafCount + ", started=" + ratchets.size()
        + ", secrets hidden)";
  }
}
