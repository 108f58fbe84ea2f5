package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeConstants.LENGTH_PREFIX;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Pads envelope bodies so that every sealed envelope is exactly one of a few bucket sizes
 * (README, "How it works": sealed-sender envelopes: no exact length on the wire).
 *
 * <p>Padded form, which is then sealed: {@code length(4, big-endian) ‖ body ‖ zeros}. The bucket
 * is the smallest one that holds the padded form plus the envelope's fixed overhead, so the whole
 * envelope, not only the body, has a bucket size. Removal is unambiguous and strict: the length
 * must fit and every padding byte must be zero.
 *
 * <p>Default buckets: 256 B, 1 KiB, 4 KiB, 16 KiB, 64 KiB. Receivers do not need the sender's
 * bucket list; they only bound the envelope by {@link EnvelopeConstants#MAX_ENVELOPE_LENGTH}.
 * Instances are immutable and thread-safe.
 */
public final class Padding {

  /** The default bucket sizes in bytes: 256, 1024, 4096, 16384, 65536. */
  public static final List<Integer> DEFAULT_BUCKETS = List.of(256, 1024, 4096, 16384, 65536);

  private static final Padding DEFAULTS = new Padding(DEFAULT_BUCKETS);

  private final int[] buckets;

  private Padding(List<Integer> sizes) {
    this.buckets = sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Returns the padding with {@link #DEFAULT_BUCKETS}.
   *
   * @return the shared default instance
   */
  public static Padding defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a padding with the given bucket sizes.
   *
   * @param bucketSizes strictly ascending sizes, each between {@link EnvelopeConstants#MIN_BUCKET}
   *     and {@link EnvelopeConstants#MAX_ENVELOPE_LENGTH}
   * @return the padding
   * @throws IllegalArgumentException if the list is empty, not strictly ascending or has a size
   *     out of range; the message names the value
   */
  public static Padding of(List<Integer> bucketSizes) {
    Objects.requireNonNull(bucketSizes, "bucketSizes");
    List<Integer> sizes = new ArrayList<>(bucketSizes);
    if (sizes.isEmpty()) {
      throw new IllegalArgumentException("bucket sizes must not be empty");
    }
    int previous = 0;
    for (Integer size : sizes) {
      Objects.requireNonNull(size, "bucket size");
      if (size < EnvelopeConstants.MIN_BUCKET || size > EnvelopeConstants.MAX_ENVELOPE_LENGTH) {
        throw new IllegalArgumentException("bucket size " + size + " is not in "
            + EnvelopeConstants.MIN_BUCKET + ".." + EnvelopeConstants.MAX_ENVELOPE_LENGTH);
      }
      if (size <= previous) {
        throw new IllegalArgumentException("bucket sizes must be strictly ascending: " + bucketSizes);
      }
      previous = size;
    }
    return new Padding(sizes);
  }

  /**
   * Returns the bucket sizes, ascending.
   *
   * @return an unmodifiable list
   */
  public List<Integer> buckets() {
    List<Integer> list = new ArrayList<>(buckets.length);
    for (int b : buckets) {
      list.add(b);
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * Returns the largest body that fits the largest bucket with the given envelope overhead.
   *
   * @param overhead bytes the envelope adds around the padded form
   * @return the largest sealable body length
   */
  public int maxBodyLength(int overhead) {
    return Math.max(-1, buckets[buckets.length - 1] - overhead - LENGTH_PREFIX);
  }

  /**
   * Pads a body so that {@code overhead + result.length} is the smallest bucket that fits.
   *
   * @param body the body, not modified
   * @param overhead bytes the envelope adds around the padded form
   * @return the padded form, a fresh array
   * @throws EnvelopeTooLargeException if no bucket is large enough
   */
  public byte[] pad(byte[] body, int overhead) throws EnvelopeTooLargeException {
    Objects.requireNonNull(body, "body");
    if (overhead < 0) {
      throw new IllegalArgumentException("overhead must not be negative: " + overhead);
    }
    long needed = (long) overhead + LENGTH_PREFIX + body.length;
    for (int bucket : buckets) {
      if (needed <= bucket) {
        byte[] padded = new byte[bucket - overhead];
        writeLength(padded, body.length);
        System.arraycopy(body, 0, padded, LENGTH_PREFIX, body.length);
        return padded;
      }
    }
    throw new EnvelopeTooLargeException(body.length, maxBodyLength(overhead));
  }

  /**
   * Removes padding that {@link #pad(byte[], int)} added, with any bucket list.
   *
   * @param padded the padded form, not modified
   * @return the body, a fresh array
   * @throws EnvelopeException if the length prefix does not fit or a padding byte is not zero
   */
  public static byte[] unpad(byte[] padded) throws EnvelopeException {
    Objects.requireNonNull(padded, "padded");
    if (padded.length < LENGTH_PREFIX) {
      throw new EnvelopeException();
    }
    long length = ((padded[0] & 0xffL) << 24) | ((padded[1] & 0xff) << 16)
        | ((padded[2] & 0xff) << 8) | (padded[3] & 0xff);
    if (length > padded.length - LENGTH_PREFIX) {
      throw new EnvelopeException();
    }
    int end = LENGTH_PREFIX + (int) length;
    int nonZero = 0;
    for (int i = end; i < padded.length; i++) {
      nonZero |= padded[i];
    }
    if (nonZero != 0) {
      throw new EnvelopeException();
    }
    return Arrays.copyOfRange(padded, LENGTH_PREFIX, end);
  }

  private static void writeLength(byte[] out, int length) {
    out[0] = (byte) (length >>> 24);
    out[1] = (byte) (length >>> 16);
    out[2] = (byte) (length >>> 8);
    out[3] = (byte) length;
  }

  /**
   * Tells whether {@code o} is a padding with the same buckets.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Padding && Arrays.equals(buckets, ((Padding) o).buckets);
  }

  /**
   * Returns a hash of the buckets.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(buckets);
  }

  /**
   * Describes the bucket list.
   *
   * @return {@code Padding[256, 1024, …]}
   */
  @Override
  public String toString() {
    return "Padding" + Arrays.toString(buckets);
  }
}
