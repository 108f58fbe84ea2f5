package io.spacepanda.internal.net.mix;

import java.util.HashSet;
import java.util.Set;

/**
 * The tags of the packets one mix key has processed (libp2p mix spec §5.2 step 3: tag = H(s)), so
 * that a replayed packet is dropped. Bounded: once {@link #capacity()} tags are in, {@link #add}
 * refuses new ones and the key must rotate (a retired key's packets no longer authenticate, so
 * its cache can go with it). Not thread-safe: the owning {@link MixKeyRing} locks.
 */
final class ReplayCache {

  private final int capacity;
  private final Set<Tag> tags = new HashSet<>();

  ReplayCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** The outcome of {@link #add}. */
  enum Added {
    /** First time: the packet may go on. */
    NEW,
    /** Seen before: drop. */
    REPLAY,
    /** The cache is full: drop, and rotate the key. */
    FULL
  }

  /**
   * Adds a tag.
   *
   * @param tag the first 16 bytes of H(s)
   * @return whether it was new, a replay, or did not fit
   */
  Added add(byte[] tag) {
    Tag t = new Tag(Sphinx.readLong(tag, 0), Sphinx.readLong(tag, 8));
    if (tags.contains(t)) {
      return Added.REPLAY;
    }
    if (tags.size() >= capacity) {
      return Added.FULL;
    }
    tags.add(t);
    return Added.NEW;
  }

  /** @return whether the tag was recorded */
  boolean contains(byte[] tag) {
    return tags.contains(new Tag(Sphinx.readLong(tag, 0), Sphinx.readLong(tag, 8)));
  }

  int size() {
    return tags.size();
  }

  int capacity() {
    return capacity;
  }

  boolean full() {
    return tags.size() >= capacity;
  }

  private record Tag(long hi, long lo) {}
}
