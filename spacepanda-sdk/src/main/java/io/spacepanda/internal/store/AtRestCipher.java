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
