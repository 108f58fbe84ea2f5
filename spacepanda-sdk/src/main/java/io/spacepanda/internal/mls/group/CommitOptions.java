package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.message.KeyPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a commit made by {@link Group#commit(CommitOptions)} contains and how it is framed.
 *
 * <p>Built with {@link #builder()}; instances are immutable. By default a commit includes every
 * cached proposal by reference, carries an UpdatePath only when RFC 9420 §12.4 requires one, is
 * sent as a PrivateMessage, and its Welcome's GroupInfo carries the ratchet_tree extension.
 */
public final class CommitOptions {

  private final List<KeyPackage> adds;
  private final List<Integer> removes;
  private final boolean includePendingProposals;
  private final boolean forcePath;
  private final boolean publicMessage;
  private final boolean ratchetTreeInWelcome;
  private final byte[] authenticatedData;

  private CommitOptions(Builder b) {
    this.adds = List.copyOf(b.adds);
    this.removes = List.copyOf(b.removes);
    this.includePendingProposals = b.includePendingProposals;
    this.forcePath = b.forcePath;
    this.publicMessage = b.publicMessage;
    this.ratchetTreeInWelcome = b.ratchetTreeInWelcome;
    this.authenticatedData = b.authenticatedData.clone();
  }

  /**
   * Returns the default options: pending proposals by reference, path only when required.
   *
   * @return the default options
   */
  public static CommitOptions defaults() {
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
   * Returns the KeyPackages to add by value.
   *
   * @return the KeyPackages
   */
  public List<KeyPackage> adds() {
    return adds;
  }

  /**
   * Returns the leaf indices to remove by value.
   *
   * @return the leaf indices
   */
  public List<Integer> removes() {
    return removes;
  }

  /**
   * Returns whether the cached proposals are included by reference.
   *
   * @return true to include them
   */
  public boolean includePendingProposals() {
    return includePendingProposals;
  }

  /**
   * Returns whether an UpdatePath is sent even when the proposals do not require one.
   *
   * @return true to always send a path
   */
  public boolean forcePath() {
    return forcePath;
  }

  /**
   * Returns whether the commit is framed as a PublicMessage instead of a PrivateMessage.
   *
   * @return true for a PublicMessage
   */
  public boolean publicMessage() {
    return publicMessage;
  }

  /**
   * Returns whether the Welcome's GroupInfo carries the ratchet tree (RFC 9420 §12.4.3.3).
   *
   * @return true to include the tree
   */
  public boolean ratchetTreeInWelcome() {
    return ratchetTreeInWelcome;
  }

  /**
   * Returns a copy of the authenticated additional data of the commit message.
   *
   * @return the data, possibly empty
   */
  public byte[] authenticatedData() {
    return authenticatedData.clone();
  }

  /** Builder of {@link CommitOptions}; not thread-safe. */
  public static final class Builder {
    private final List<KeyPackage> adds = new ArrayList<>();
    private final List<Integer> removes = new ArrayList<>();
    private boolean includePendingProposals = true;
    private boolean forcePath;
    private boolean publicMessage;
    private boolean ratchetTreeInWelcome = true;
    private byte[] authenticatedData = new byte[0];

    private Builder() {}

    /**
     * Adds a member by its KeyPackage (validated when the commit is made).
     *
     * @param keyPackage the new member's KeyPackage
     * @return this builder
     */
    public Builder add(KeyPackage keyPackage) {
      adds.add(Objects.requireNonNull(keyPackage, "keyPackage"));
      return this;
    }

    /**
     * Removes the member at a leaf (checked when the commit is made).
     *
     * @param leafIndex the member's leaf index
     * @return this builder
     */
    public Builder remove(int leafIndex) {
      if (leafIndex < 0) {
        throw new IllegalArgumentException("leafIndex must be >= 0: " + leafIndex);
      }
      removes.add(leafIndex);
      return this;
    }

    /**
     * Sets whether cached proposals are included by reference (default true).
     *
     * @param v the flag
     * @return this builder
     */
    public Builder includePendingProposals(boolean v) {
      includePendingProposals = v;
      return this;
    }

    /**
     * Sets whether an UpdatePath is always sent (default false: only when required).
     *
     * @param v the flag
     * @return this builder
     */
    public Builder forcePath(boolean v) {
      forcePath = v;
      return this;
    }

    /**
     * Sets whether the commit is a PublicMessage (default false: PrivateMessage).
     *
     * @param v the flag
     * @return this builder
     */
    public Builder publicMessage(boolean v) {
      publicMessage = v;
      return this;
    }

    /**
     * Sets whether the Welcome carries the ratchet tree (default true).
     *
     * @param v the flag
     * @return this builder
     */
    public Builder ratchetTreeInWelcome(boolean v) {
      ratchetTreeInWelcome = v;
      return this;
    }

    /**
     * Sets the authenticated additional data of the commit message (default empty).
     *
     * @param v the data, copied
     * @return this builder
     */
    public Builder authenticatedData(byte[] v) {
      authenticatedData = Objects.requireNonNull(v, "authenticatedData").clone();
      return this;
    }

    /**
     * Builds the options; the builder is left unchanged.
     *
     * @return the options
     */
    public CommitOptions build() {
      return new CommitOptions(this);
    }
  }
}
