package io.spacepanda.internal.store;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.WrongPassphraseException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The on-disk form of the store's at-rest keyset: a Tink AEAD keyset, either in cleartext or
 * encrypted under a key derived from a passphrase.
 *
 * <p>Format (big-endian), version 1:
 *
 * <pre>
 *   magic "SPKS" | version u8 = 1 | mode u8 (0 cleartext, 1 passphrase)
 *   mode 1 only: argon2 memory KiB u32 | passes u32 | lanes u8 | salt length u8 | salt
 *   keyset length u32 | keyset bytes
 * </pre>
 *
 * <p>In mode 1 the keyset bytes are Tink's encrypted keyset format under AES-256-GCM with a key
 * from Argon2id (version 1.3) over the passphrase (UTF-8) and the salt; the header (everything
 * before the keyset length) is the associated data, so the KDF parameters cannot be changed
 * without the open failing. Every field is bounded on decode (see {@link StoreConstants}); a
 * malformed file is a {@link StorageException}, never an unchecked exception.
 *
 * <p>Instances are immutable.
 */
final class KeysetFile {

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final int MODE_CLEARTEXT = 0;
  static final int MODE_PASSPHRASE = 1;

  /** Argon2id cost parameters. */
  record KdfParams(int memoryKiB, int iterations, int parallelism) {

    /** The parameters new keyset files use. */
    static final KdfParams DEFAULT =
        new KdfParams(
            StoreConstants.ARGON2_MEMORY_KIB,
            StoreConstants.ARGON2_ITERATIONS,
            StoreConstants.ARGON2_PARALLELISM);

    KdfParams {
      if (parallelism < 1 || parallelism > StoreConstants.MAX_ARGON2_PARALLELISM) {
        throw new IllegalArgumentException("argon2 lanes out of range: " + parallelism);
      }
      if (memoryKiB < 8 * parallelism || memoryKiB > StoreConstants.MAX_ARGON2_MEMORY_KIB) {
        throw new IllegalArgumentException("argon2 memory out of range: " + memoryKiB);
      }
      if (iterations < 1 || iterations > StoreConstants.MAX_ARGON2_ITERATIONS) {
        throw new IllegalArgumentException("argon2 passes out of range: " + iterations);
      }
    }
  }

  private final int mode;
  private final KdfParams kdf;
  private final byte[] salt;
  private final byte[] keyset;

  KeysetFile(int mode, KdfParams kdf, byte[] salt, byte[] keyset) {
    this.mode = mode;
    this.kdf = kdf;
    this.salt = salt;
    this.keyset = keyset;
  }

  /** Generates a new keyset with one AES-256-GCM key. */
  static KeysetHandle generateKeyset() throws GeneralSecurityException {
    return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
  }

  /** Returns a file holding the keyset in cleartext. */
  static KeysetFile cleartext(KeysetHandle handle) throws GeneralSecurityException {
    byte[] bytes = TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    return new KeysetFile(MODE_CLEARTEXT, null, new byte[0], bytes);
  }

  /** Returns a file holding the keyset encrypted under a key derived from the passphrase. */
  static KeysetFile protect(
      KeysetHandle handle, char[] passphrase, KdfParams kdf, SecureRandom random)
      throws GeneralSecurityException {
    byte[] salt = new byte[StoreConstants.SALT_LENGTH];
    random.nextBytes(salt);
    KeysetFile header = new KeysetFile(MODE_PASSPHRASE, kdf, salt, new byte[0]);
    byte[] key = deriveKey(passphrase, kdf, salt);
    try {
      Aead master = new AesGcmJce(key);
      byte[] bytes = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, master, header.header());
      return new KeysetFile(MODE_PASSPHRASE, kdf, salt, bytes);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Returns the keyset, decrypting it with the passphrase if the file is protected.
   *
   * @throws WrongPassphraseException if the passphrase is wrong, missing, or given for a cleartext
   *     keyset
   * @throws StorageException if the keyset does not parse
   */
  KeysetHandle open(char[] passphrase) throws StorageException {
    if (mode == MODE_CLEARTEXT) {
      if (passphrase != null) {
        throw new WrongPassphraseException("store was created without a passphrase");
      }
      try {
        return TinkProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get());
      } catch (GeneralSecurityException e) {
        throw new StorageException("keyset file is malformed", e);
      }
    }
    if (passphrase == null) {
      throw new WrongPassphraseException("store is protected by a passphrase");
    }
    byte[] key = deriveKey(passphrase, kdf, salt);
    try {
      Aead master = new AesGcmJce(key);
      return TinkProtoKeysetFormat.parseEncryptedKeyset(keyset, master, header());
    } catch (GeneralSecurityException e) {
      throw new WrongPassphraseException("wrong passphrase");
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  int mode() {
    return mode;
  }

  KdfParams kdf() {
    return kdf;
  }

  /** Returns the encoded file. */
  byte[] encode() {
    byte[] header = header();
    return ByteBuffer.allocate(header.length + 4 + keyset.length)
        .put(header)
        .putInt(keyset.length)
        .put(keyset)
        .array();
  }

  private byte[] header() {
    int size = StoreConstants.KEYSET_MAGIC.length + 2;
    if (mode == MODE_PASSPHRASE) {
      size += 4 + 4 + 1 + 1 + salt.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(StoreConstants.KEYSET_MAGIC).put((byte) StoreConstants.KEYSET_FORMAT_VERSION);
    b.put((byte) mode);
    if (mode == MODE_PASSPHRASE) {
      b.putInt(kdf.memoryKiB()).putInt(kdf.iterations()).put((byte) kdf.parallelism());
      b.put((byte) salt.length).put(salt);
    }
    return b.array();
  }

  /**
   * Decodes a keyset file, checking every field against its bounds.
   *
   * @throws StorageException if the bytes are not a well-formed keyset file of a known version
   */
  static KeysetFile decode(byte[] bytes) throws StorageException {
    if (bytes.length > StoreConstants.MAX_KEYSET_FILE) {
      throw malformed();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[StoreConstants.KEYSET_MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, StoreConstants.KEYSET_MAGIC)) {
        throw malformed();
      }
      int version = Byte.toUnsignedInt(b.get());
      if (version != StoreConstants.KEYSET_FORMAT_VERSION) {
        throw new StorageException("keyset file version " + version + " is not supported");
      }
      int mode = Byte.toUnsignedInt(b.get());
      KdfParams kdf = null;
      byte[] salt = new byte[0];
      if (mode == MODE_PASSPHRASE) {
        int memory = b.getInt();
        int passes = b.getInt();
        int lanes = Byte.toUnsignedInt(b.get());
        kdf = new KdfParams(memory, passes, lanes);
        int saltLength = Byte.toUnsignedInt(b.get());
        if (saltLength != StoreConstants.SALT_LENGTH) {
          throw malformed();
        }
        salt = new byte[saltLength];
        b.get(salt);
      } else if (mode != MODE_CLEARTEXT) {
        throw malformed();
      }
      int length = b.getInt();
      if (length <= 0 || length != b.remaining()) {
        throw malformed();
      }
      byte[] keyset = new byte[length];
      b.get(keyset);
      return new KeysetFile(mode, kdf, salt, keyset);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw malformed();
    }
  }

  private static StorageException malformed() {
    return new StorageException("keyset file is malformed");
  }

  /** Derives the 32-byte master key with Argon2id v1.3 (RFC 9106). */
  static byte[] deriveKey(char[] passphrase, KdfParams kdf, byte[] salt) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(kdf.memoryKiB())
            .withIterations(kdf.iterations())
            .withParallelism(kdf.parallelism())
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] key = new byte[32];
    generator.generateBytes(passphrase, key);
    params.clear();
    return key;
  }
}
