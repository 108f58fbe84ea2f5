package io.spacepanda.internal.mls.group;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The immutable bounds and injected resources of the MLS group engine.
 *
 * <p>Every bound trades tolerance of reordering, delay and downtime against forward secrecy or
 * memory; each default is chosen for a peer-to-peer chat with jittered delivery and is documented
 * on its getter. Instances are built with {@link #builder()}; {@link #defaults()} gives the
 * defaults with the system clock and a fresh {@link SecureRandom}. Instances are immutable and
 * thread-safe (the injected clock and random source must be thread-safe themselves).
 */
public final class MlsConfig {

  /** Default for {@link #maxForwardGenerationJump()}. */
  public static final int DEFAULT_MAX_FORWARD_GENERATION_JUMP = 1000;
  /** Default for {@link #pastEpochsRetained()}. */
  public static final int DEFAULT_PAST_EPOCHS_RETAINED = 2;
  /** Default for {@link #maxSkippedKeysPerSender()}. */
  public static final int DEFAULT_MAX_SKIPPED_KEYS_PER_SENDER = 256;
  /** Default for {@link #keyPackageLifetime()}. */
  public static final Duration DEFAULT_KEY_PACKAGE_LIFETIME = Duration.ofDays(28);
  /** Default for {@link #clockSkew()}. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofHours(1);
  /** Default for {@link #paddingBlockSize()}. */
  public static final int DEFAULT_PADDING_BLOCK_SIZE = 32;
  /** Default for {@link #resumptionSecretsRetained()}. */
  public static final int DEFAULT_RESUMPTION_SECRETS_RETAINED = 16;
  /** Default for {@link #maxCachedProposals()}. */
  public static final int DEFAULT_MAX_CACHED_PROPOSALS = 1000;
  /** Upper limit of {@link #maxCachedProposals()}. */
  public static final int LIMIT_MAX_CACHED_PROPOSALS = 1 << 16;
  /** Upper limit of {@link #maxForwardGenerationJump()}. */
  public static final int LIMIT_MAX_FORWARD_GENERATION_JUMP = 1 << 20;
  /** Upper limit of {@link #pastEpochsRetained()}. */
  public static final int LIMIT_PAST_EPOCHS_RETAINED = 64;
  /** Upper limit of {@link #maxSkippedKeysPerSender()}. */
  public static final int LIMIT_MAX_SKIPPED_KEYS_PER_SENDER = 1 << 16;
  /** Upper limit of {@link #paddingBlockSize()}. */
  public static final int LIMIT_PADDING_BLOCK_SIZE = 1 << 16;
  /** Upper limit of {@link #resumptionSecretsRetained()}. */
  public static final int LIMIT_RESUMPTION_SECRETS_RETAINED = 1024;

  private final int maxForwardGenerationJump;
  private final int pastEpochsRetained;
  private final int maxSkippedKeysPerSender;
  private final boolean evictSkippedKeys;
  private final Duration keyPackageLifetime;
  private final Duration clockSkew;
  private final int paddingBlockSize;
  private final int resumptionSecretsRetained;
  private final int maxCachedProposals;
  private final boolean allowNewMemberSenders;
  private final Clock clock;
  private final SecureRandom random;

  private MlsConfig(Builder b) {
    this.maxForwardGenerationJump = b.maxForwardGenerationJump;
    this.pastEpochsRetained = b.pastEpochsRetained;
    this.maxSkippedKeysPerSender = b.maxSkippedKeysPerSender;
    this.evictSkippedKeys = b.evictSkippedKeys;
    this.keyPackageLifetime = b.keyPackageLifetime;
    this.clockSkew = b.clockSkew;
    this.paddingBlockSize = b.paddingBlockSize;
    this.resumptionSecretsRetained = b.resumptionSecretsRetained;
    this.maxCachedProposals = b.maxCachedProposals;
    this.allowNewMemberSenders = b.allowNewMemberSenders;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.random = b.random != null ? b.random : new SecureRandom();
  }

  /**
   * Returns a configuration with every default, the system UTC clock and a new SecureRandom.
   *
   * @return the default configuration
   */
  public static MlsConfig defaults() {
    return builder().build();
  }

  /**
   * Returns a new builder holding the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the largest number of generations a message may skip ahead of the next expected one
   * in a sender's ratchet (default 1000).
   *
   * <p>A message further ahead is rejected before any key is derived, so a forged generation
   * ("generation bomb") costs nothing; a larger value tolerates more messages lost in a row.
   *
   * @return the bound, at least 1
   */
  public int maxForwardGenerationJump() {
    return maxForwardGenerationJump;
  }

  /**
   * Returns how many epochs before the current one keep their application keys (default 2).
   *
   * <p>Application messages of such an epoch still decrypt (late, jittered delivery); handshake
   * messages of any other epoch than the current one are always rejected. 0 gives the strongest
   * forward secrecy: nothing of a past epoch decrypts.
   *
   * @return the number of retained past epochs, 0 or more
   */
  public int pastEpochsRetained() {
    return pastEpochsRetained;
  }

  /**
   * Returns how many skipped message keys are kept per sender and epoch for out-of-order delivery
   * (default 256).
   *
   * <p>When more are skipped, the oldest are deleted and their messages no longer decrypt.
   *
   * @return the bound, 0 or more
   */
  public int maxSkippedKeysPerSender() {
    return maxSkippedKeysPerSender;
  }

  /**
   * Returns whether the oldest skipped keys are forgotten when a message needs more (default
   * true, as RFC 9420 §9.2 suggests).
   *
   * <p>False suits a receiver that keeps what it cannot open yet: a message whose generation is
   * too far ahead, or would push out keys of earlier messages still missing, is refused with
   * {@link io.spacepanda.internal.mls.MlsGenerationAheadException} and changes nothing, so that no
   * message that is still coming is made unreadable.
   *
   * @return true to evict
   */
  public boolean evictSkippedKeys() {
    return evictSkippedKeys;
  }

  /**
   * Returns the validity period written into a new KeyPackage's lifetime (default 28 days).
   *
   * @return a positive duration
   */
  public Duration keyPackageLifetime() {
    return keyPackageLifetime;
  }

  /**
   * Returns the clock skew accepted when checking a lifetime against the clock (default 1 hour).
   *
   * <p>A lifetime is accepted when {@code not_before - skew <= now <= not_after + skew}; a new
   * KeyPackage's {@code not_before} is set this far in the past.
   *
   * @return a duration, zero or positive
   */
  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * Returns the block size to which PrivateMessage content is padded (default 32 bytes).
   *
   * <p>The padded content length is a multiple of this size; 0 disables padding. Padding hides the
   * exact length of a message from everyone who does not hold the key.
   *
   * @return the size in bytes, 0 or more
   */
  public int paddingBlockSize() {
    return paddingBlockSize;
  }

  /**
   * Returns how many past epochs keep their resumption PSK for later PreSharedKey proposals
   * (default 16).
   *
   * @return the count, 0 or more
   */
  public int resumptionSecretsRetained() {
    return resumptionSecretsRetained;
  }

  /**
   * Returns how many proposals one epoch caches at most (default 1000).
   *
   * <p>A proposal beyond it is rejected, so that a member flooding proposals cannot exhaust
   * memory; a commit clears the cache.
   *
   * @return the bound, at least 1
   */
  public int maxCachedProposals() {
    return maxCachedProposals;
  }

  /**
   * Returns whether non-members may add themselves: external commits (RFC 9420 §12.4.3.2) and
   * Add proposals from a {@code new_member_proposal} sender (§12.1.8) are processed only when
   * this is true (default false).
   *
   * <p>With false, a holder of a leaked GroupInfo cannot join without a member acting; the
   * application's policy must allow self-joins before enabling it.
   *
   * @return whether new-member senders are accepted
   */
  public boolean allowNewMemberSenders() {
    return allowNewMemberSenders;
  }

  /**
   * Returns the clock used for lifetimes.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Returns the random source for keys, nonces and reuse guards.
   *
   * @return the random source
   */
  public SecureRandom random() {
    return random;
  }

  @Override
  public String toString() {
    return "MlsConfig[maxForwardGenerationJump=" + maxForwardGenerationJump
        + ", pastEpochsRetained=" + pastEpochsRetained
        + ", maxSkippedKeysPerSender=" + maxSkippedKeysPerSender
        + ", evictSkippedKeys=" + evictSkippedKeys
        + ", keyPackageLifetime=" + keyPackageLifetime
        + ", clockSkew=" + clockSkew
        + ", paddingBlockSize=" + paddingBlockSize
        + ", resumptionSecretsRetained=" + resumptionSecretsRetained
        + ", maxCachedProposals=" + maxCachedProposals
        + ", allowNewMemberSenders=" + allowNewMemberSenders + "]";
  }

  /**
   * Fail-fast builder of {@link MlsConfig}.
   *
   * <p>A value out of range throws {@link IllegalArgumentException} naming it; an option set twice
   * throws {@link IllegalStateException}. {@link #build()} leaves the builder unchanged. Not
   * thread-safe.
   */
  public static final class Builder {
    private int maxForwardGenerationJump = DEFAULT_MAX_FORWARD_GENERATION_JUMP;
    private int pastEpochsRetained = DEFAULT_PAST_EPOCHS_RETAINED;
    private int maxSkippedKeysPerSender = DEFAULT_MAX_SKIPPED_KEYS_PER_SENDER;
    private boolean evictSkippedKeys = true;
    private Duration keyPackageLifetime = DEFAULT_KEY_PACKAGE_LIFETIME;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private int paddingBlockSize = DEFAULT_PADDING_BLOCK_SIZE;
    private int resumptionSecretsRetained = DEFAULT_RESUMPTION_SECRETS_RETAINED;
    private int maxCachedProposals = DEFAULT_MAX_CACHED_PROPOSALS;
    private boolean allowNewMemberSenders;
    private Clock clock;
    private SecureRandom random;
    private final java.util.Set<String> set = new java.util.LinkedHashSet<>();

    private Builder() {}

    private void once(String name) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static int range(String name, int v, int min, int max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + v);
      }
      return v;
    }

    /**
     * Sets {@link MlsConfig#maxForwardGenerationJump()}.
     *
     * @param v 1 to {@link #LIMIT_MAX_FORWARD_GENERATION_JUMP}
     * @return this builder
     */
    public Builder maxForwardGenerationJump(int v) {
      range("maxForwardGenerationJump", v, 1, LIMIT_MAX_FORWARD_GENERATION_JUMP);
      once("maxForwardGenerationJump");
      maxForwardGenerationJump = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#pastEpochsRetained()}.
     *
     * @param v 0 to {@link #LIMIT_PAST_EPOCHS_RETAINED}
     * @return this builder
     */
    public Builder pastEpochsRetained(int v) {
      range("pastEpochsRetained", v, 0, LIMIT_PAST_EPOCHS_RETAINED);
      once("pastEpochsRetained");
      pastEpochsRetained = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#maxSkippedKeysPerSender()}.
     *
     * @param v 0 to {@link #LIMIT_MAX_SKIPPED_KEYS_PER_SENDER}
     * @return this builder
     */
    public Builder maxSkippedKeysPerSender(int v) {
      range("maxSkippedKeysPerSender", v, 0, LIMIT_MAX_SKIPPED_KEYS_PER_SENDER);
      once("maxSkippedKeysPerSender");
      maxSkippedKeysPerSender = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#evictSkippedKeys()}.
     *
     * @param v false to refuse, instead of evicting keys of missing messages
     * @return this builder
     */
    public Builder evictSkippedKeys(boolean v) {
      once("evictSkippedKeys");
      evictSkippedKeys = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#keyPackageLifetime()}.
     *
     * @param v a positive duration of at most 10 years
     * @return this builder
     */
    public Builder keyPackageLifetime(Duration v) {
      Objects.requireNonNull(v, "keyPackageLifetime");
      if (v.isNegative() || v.isZero() || v.compareTo(Duration.ofDays(3660)) > 0) {
        throw new IllegalArgumentException("keyPackageLifetime must be in (0, 3660 days]: " + v);
      }
      once("keyPackageLifetime");
      keyPackageLifetime = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#clockSkew()}.
     *
     * @param v a duration of 0 to 1 day
     * @return this builder
     */
    public Builder clockSkew(Duration v) {
      Objects.requireNonNull(v, "clockSkew");
      if (v.isNegative() || v.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("clockSkew must be in [0, 1 day]: " + v);
      }
      once("clockSkew");
      clockSkew = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#paddingBlockSize()}.
     *
     * @param v 0 to {@link #LIMIT_PADDING_BLOCK_SIZE}
     * @return this builder
     */
    public Builder paddingBlockSize(int v) {
      range("paddingBlockSize", v, 0, LIMIT_PADDING_BLOCK_SIZE);
      once("paddingBlockSize");
      paddingBlockSize = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#resumptionSecretsRetained()}.
     *
     * @param v 0 to {@link #LIMIT_RESUMPTION_SECRETS_RETAINED}
     * @return this builder
     */
    public Builder resumptionSecretsRetained(int v) {
      range("resumptionSecretsRetained", v, 0, LIMIT_RESUMPTION_SECRETS_RETAINED);
      once("resumptionSecretsRetained");
      resumptionSecretsRetained = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#maxCachedProposals()}.
     *
     * @param v 1 to {@link #LIMIT_MAX_CACHED_PROPOSALS}
     * @return this builder
     */
    public Builder maxCachedProposals(int v) {
      range("maxCachedProposals", v, 1, LIMIT_MAX_CACHED_PROPOSALS);
      once("maxCachedProposals");
      maxCachedProposals = v;
      return this;
    }

    /**
     * Sets {@link MlsConfig#allowNewMemberSenders()}.
     *
     * @param v true to accept external commits and new-member Add proposals
     * @return this builder
     */
    public Builder allowNewMemberSenders(boolean v) {
      once("allowNewMemberSenders");
      allowNewMemberSenders = v;
      return this;
    }

    /**
     * Sets the clock used for lifetimes (default the system UTC clock).
     *
     * @param v the clock
     * @return this builder
     */
    public Builder clock(Clock v) {
      Objects.requireNonNull(v, "clock");
      once("clock");
      clock = v;
      return this;
    }

    /**
     * Sets the random source (default a new SecureRandom).
     *
     * @param v the random source
     * @return this builder
     */
    public Builder random(SecureRandom v) {
      Objects.requireNonNull(v, "random");
      once("random");
      random = v;
      return this;
    }

    /**
     * Builds the configuration; the builder is left unchanged.
     *
     * @return a new immutable configuration
     * @throws IllegalArgumentException if the lifetime is not longer than twice the clock skew
     */
    public MlsConfig build() {
      if (keyPackageLifetime.compareTo(clockSkew.multipliedBy(2)) <= 0) {
        throw new IllegalArgumentException("keyPackageLifetime " + keyPackageLifetime
            + " must be longer than twice clockSkew " + clockSkew);
      }
      return new MlsConfig(this);
    }

    @Override
    public String toString() {
      return "MlsConfig.Builder" + set;
    }
  }
}
