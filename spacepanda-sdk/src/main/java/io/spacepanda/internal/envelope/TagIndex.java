package io.spacepanda.internal.envelope;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds which of a node's channel epochs a group envelope belongs to, by trying each candidate's
 * tag key (one HMAC each) and decrypting only with the one that matches.
 *
 * <p>{@code L} is the caller's label for a key set, for example (channel, epoch). {@link
 * #tryOpen(byte[])} separates the two outcomes the design needs (README, "How it works"): no
 * candidate matches (empty: keep
 * the envelope and retry after the next epoch change) and a candidate matches but the envelope is
 * corrupt ({@link EnvelopeException}: drop it).
 *
 * <p>Thread-safe: writes copy the map under this object's lock, reads use the latest snapshot
 * without locking. The cost of a lookup grows linearly with the number of candidates.
 *
 * @param <L> the label type; compared with {@code equals}
 */
public final class TagIndex<L> {

  private final Object lock = new Object();
  private volatile Map<L, GroupEnvelopeKeys> candidates = Map.of();

  /** Creates an empty index. */
  public TagIndex() {}

  /**
   * Adds or replaces the keys known under {@code label}.
   *
   * @param label the caller's label
   * @param keys the envelope keys
   */
  public void put(L label, GroupEnvelopeKeys keys) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(keys, "keys");
    synchronized (lock) {
      Map<L, GroupEnvelopeKeys> next = new LinkedHashMap<>(candidates);
      next.put(label, keys);
      candidates = next;
    }
  }

  /**
   * Forgets the keys known under {@code label}, for example when an epoch leaves the retention
   * window.
   *
   * @param label the caller's label
   * @return true if there were keys under that label
   */
  public boolean remove(L label) {
    Objects.requireNonNull(label, "label");
    synchronized (lock) {
      if (!candidates.containsKey(label)) {
        return false;
      }
      Map<L, GroupEnvelopeKeys> next = new LinkedHashMap<>(candidates);
      next.remove(label);
      candidates = next;
      return true;
    }
  }

  /**
   * Returns the number of candidate key sets.
   *
   * @return the count
   */
  public int size() {
    return candidates.size();
  }

  /**
   * Returns the label whose tag key matches the envelope, without decrypting.
   *
   * @param envelope the received bytes, not modified
   * @return the first matching label in insertion order, or empty if none matches
   */
  public Optional<L> find(byte[] envelope) {
    Objects.requireNonNull(envelope, "envelope");
    for (Map.Entry<L, GroupEnvelopeKeys> e : candidates.entrySet()) {
      if (GroupEnvelope.matches(e.getValue(), envelope)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  /**
   * Finds the matching candidate and opens the envelope with it.
   *
   * @param envelope the received bytes, not modified
   * @return the label and plaintext, or empty if no candidate's tag matches
   * @throws EnvelopeException if a tag matches but the envelope does not open
   */
  public Optional<Opened<L>> tryOpen(byte[] envelope) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    for (Map.Entry<L, GroupEnvelopeKeys> e : candidates.entrySet()) {
      if (GroupEnvelope.matches(e.getValue(), envelope)) {
        return Optional.of(new Opened<>(e.getKey(), GroupEnvelope.open(e.getValue(), envelope)));
      }
    }
    return Optional.empty();
  }

  /**
   * Like {@link #tryOpen(byte[])}, trying the keys under {@code hint} first (the label a {@link
   * #find} just returned for the same envelope), so that the envelope's tag is computed once
   * instead of once per candidate again; falls back to the full search when the hint's keys are
   * gone or do not match.
   *
   * @param envelope the received bytes, not modified
   * @param hint the label to try first, or null
   * @return the label and plaintext, or empty if no candidate's tag matches
   * @throws EnvelopeException if a tag matches but the envelope does not open
   */
  public Optional<Opened<L>> tryOpen(byte[] envelope, L hint) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    if (hint != null) {
      GroupEnvelopeKeys keys = candidates.get(hint);
      if (keys != null && GroupEnvelope.matches(keys, envelope)) {
        return Optional.of(new Opened<>(hint, GroupEnvelope.open(keys, envelope)));
      }
    }
    return tryOpen(envelope);
  }

  /**
   * Re-encrypts a group envelope under a fresh nonce with the keys whose tag it bears, so that each
   * recipient gets its own copy ({@link GroupEnvelope#reseal}).
   *
   * @param envelope the sealed bytes, not modified
   * @param random a cryptographically secure source for the nonce
   * @return the fresh copy, or empty if no candidate's tag matches (not a group envelope of these
   *     keys, or its epoch left the index)
   * @throws EnvelopeException if a tag matches but the envelope does not open
   */
  public Optional<byte[]> reseal(byte[] envelope, java.security.SecureRandom random)
      throws EnvelopeException {
    byte[] nonce = new byte[EnvelopeConstants.GROUP_NONCE_LENGTH];
    random.nextBytes(nonce);
    return reseal(envelope, nonce);
  }

  /**
   * Re-encrypts a group envelope under a given nonce ({@link GroupEnvelope#reseal(
   * GroupEnvelopeKeys, byte[], byte[])}).
   *
   * @param envelope the sealed bytes, not modified
   * @param nonce 16 bytes, unpredictable to outsiders
   * @return the fresh copy, or empty if no candidate's tag matches
   * @throws EnvelopeException if a tag matches but the envelope does not open
   */
  public Optional<byte[]> reseal(byte[] envelope, byte[] nonce) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    for (Map.Entry<L, GroupEnvelopeKeys> e : candidates.entrySet()) {
      if (GroupEnvelope.matches(e.getValue(), envelope)) {
        return Optional.of(GroupEnvelope.reseal(e.getValue(), envelope, nonce));
      }
    }
    return Optional.empty();
  }

  /**
   * Opens a group envelope with the keys whose tag it bears, once, so that it can be resealed for
   * many recipients ({@link GroupEnvelope#reseal(GroupEnvelope.Opened, byte[])}).
   *
   * @param envelope the sealed bytes, not modified
   * @return the opened envelope, or empty if no candidate's tag matches
   * @throws EnvelopeException if a tag matches but the envelope does not open
   */
  public Optional<GroupEnvelope.Opened> openForReseal(byte[] envelope) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    for (Map.Entry<L, GroupEnvelopeKeys> e : candidates.entrySet()) {
      if (GroupEnvelope.matches(e.getValue(), envelope)) {
        return Optional.of(GroupEnvelope.openForReseal(e.getValue(), envelope));
      }
    }
    return Optional.empty();
  }

  /**
   * An opened group envelope and the label of the keys that opened it.
   *
   * @param <L> the label type
   */
  public static final class Opened<L> {

    private final L label;
    private final byte[] plaintext;

    Opened(L label, byte[] plaintext) {
      this.label = label;
      this.plaintext = plaintext;
    }

    /**
     * Returns the label of the keys that opened the envelope.
     *
     * @return the label
     */
    public L label() {
      return label;
    }

    /**
     * Returns the plaintext.
     *
     * @return a fresh copy
     */
    public byte[] plaintext() {
      return plaintext.clone();
    }

    /**
     * Describes the result without its content.
     *
     * @return {@code Opened[label=…, n bytes]}
     */
    @Override
    public String toString() {
      return "Opened[label=" + label + ", " + plaintext.length + " bytes]";
    }
  }
}
