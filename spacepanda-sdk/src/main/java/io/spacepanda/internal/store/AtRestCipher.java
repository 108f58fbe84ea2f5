package io.spacepanda.internal.store;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.StorageException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Encrypts the blobs a durable store writes, each bound to where it lives.
 *
 * <p>The associated data of a blob names its table, its column and the primary key of its row, so
 * a ciphertext copied into another row, column or table fails to decrypt instead of being read as
 * that row's data. The AEAD is the primitive of the store's Tink keyset (AES-256-GCM with a fresh
 * random nonce per blob). Every failure to decrypt reads the same: "stored data failed
 * authentication".
 *
 * <p>Thread-safe (Tink AEAD primitives are).
 */
final class AtRestCipher {

  private static final byte[] DOMAIN = "spacepanda-store-v1".getBytes(StandardCharsets.US_ASCII);

  private final Aead aead;

  AtRestCipher(KeysetHandle keyset) throws GeneralSecurityException {
    this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
  }

  byte[] seal(byte[] plaintext, String table, String column, Id... key) throws StorageException {
    try {
      return aead.encrypt(plaintext, associatedData(table, column, key));
    } catch (GeneralSecurityException e) {
      throw new StorageException("encryption failed", e);
    }
  }

  byte[] open(byte[] ciphertext, String table, String column, Id... key) throws StorageException {
    try {
      return aead.decrypt(ciphertext, associatedData(table, column, key));
    } catch (GeneralSecurityException e) {
      throw new StorageException("stored data failed authentication");
    }
  }

  /**
   * Size buckets of padded blobs (issue 14): a stored body reveals only its bucket, 256 B, 1 KiB,
   * 4 KiB, 16 KiB or 64 KiB, then a multiple of 64 KiB. The bucket is chosen by the plaintext's
   * length, and the 4-byte length prefix comes on top ({@link #paddedSize}): envelopes are already
   * padded to these same sizes on the wire, and counting the prefix in the bucket put every 1 KiB
   * envelope into the 4 KiB bucket (47 MB for 10,000 mailbox envelopes instead of about 12 MB).
   */
  static final int[] BUCKETS = {256, 1024, 4096, 16384, 65536};

  /** Marks the associated data of padded blobs, so an unpadded (older) blob never reads as one. */
  private static final String PADDED = "+padded";

  /**
   * Seals {@code plaintext} padded to its bucket: {@code u32 length || plaintext || zeros}.
   *
   * @return the ciphertext, whose length gives away only the bucket
   */
  byte[] sealPadded(byte[] plaintext, String table, String column, Id... key) throws StorageException {
    byte[] padded = new byte[paddedSize(plaintext.length)];
    java.nio.ByteBuffer.wrap(padded).putInt(plaintext.length).put(plaintext);
    return seal(padded, table, column + PADDED, key);
  }

  /**
   * Opens a blob sealed by {@link #sealPadded}, or by {@link #seal} before padding existed (a
   * database not yet migrated).
   *
   * @return the plaintext without its padding
   * @throws StorageException if neither form authenticates or the padding is malformed
   */
  byte[] openPadded(byte[] ciphertext, String table, String column, Id... key) throws StorageException {
    byte[] padded;
    try {
      padded = aead.decrypt(ciphertext, associatedData(table, column + PADDED, key));
    } catch (GeneralSecurityException e) {
      return open(ciphertext, table, column, key); // written before bodies were padded
    }
    if (padded.length < Integer.BYTES) {
      throw new StorageException("stored data failed authentication");
    }
    int length = java.nio.ByteBuffer.wrap(padded).getInt();
    if (length < 0 || length > padded.length - Integer.BYTES) {
      throw new StorageException("stored data failed authentication");
    }
    return java.util.Arrays.copyOfRange(padded, Integer.BYTES, Integer.BYTES + length);
  }

  /**
   * Returns the size of the padded plaintext of a blob of {@code n} bytes: its bucket plus the
   * 4-byte length prefix.
   */
  static int paddedSize(int n) {
    return Integer.BYTES + bucket(n);
  }

  /** Returns the bucket {@code n} bytes are padded to. */
  static int bucket(int n) {
    for (int b : BUCKETS) {
      if (n <= b) {
        return b;
      }
    }
    int last = BUCKETS[BUCKETS.length - 1];
    long rounded = ((long) n + last - 1) / last * last;
    if (rounded > Integer.MAX_VALUE - 68) {
      throw new IllegalArgumentException("blob too large to pad: " + n);
    }
    return (int) rounded;
  }

  static byte[] associatedData(String table, String column, Id... key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    field(out, DOMAIN);
    field(out, table.getBytes(StandardCharsets.US_ASCII));
    field(out, column.getBytes(StandardCharsets.US_ASCII));
    for (Id part : key) {
      field(out, part.toBytes());
    }
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes.length >>> 8);
    out.write(bytes.length);
    out.write(bytes, 0, bytes.length);
  }
}
