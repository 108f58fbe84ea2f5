package io.spacepanda.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.KeysetHandle;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.WrongPassphraseException;
import java.security.SecureRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class KeysetFileTest {

  private static final KeysetFile.KdfParams CHEAP = new KeysetFile.KdfParams(256, 1, 1);

  @Provide
  Arbitrary<KeysetFile> files() {
    Arbitrary<byte[]> keyset = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(600);
    Arbitrary<KeysetFile> cleartext =
        keyset.map(k -> new KeysetFile(KeysetFile.MODE_CLEARTEXT, null, new byte[0], k));
    Arbitrary<KeysetFile.KdfParams> kdf =
        Combinators.combine(
                Arbitraries.integers().between(1, StoreConstants.MAX_ARGON2_PARALLELISM),
                Arbitraries.integers().between(128, StoreConstants.MAX_ARGON2_MEMORY_KIB),
                Arbitraries.integers().between(1, StoreConstants.MAX_ARGON2_ITERATIONS))
            .as((lanes, memory, passes) -> new KeysetFile.KdfParams(memory, passes, lanes));
    Arbitrary<byte[]> salt =
        Arbitraries.bytes().array(byte[].class).ofSize(StoreConstants.SALT_LENGTH);
    Arbitrary<KeysetFile> protectedFile =
        Combinators.combine(kdf, salt, keyset)
            .as((k, s, ks) -> new KeysetFile(KeysetFile.MODE_PASSPHRASE, k, s, ks));
    return Arbitraries.oneOf(cleartext, protectedFile);
  }

  @Property(tries = 300)
  void decode_encoded_roundTrips(@ForAll("files") KeysetFile file) throws Exception {
    byte[] encoded = file.encode();
    KeysetFile decoded = KeysetFile.decode(encoded);
    assertArrayEquals(encoded, decoded.encode());
    assertEquals(file.mode(), decoded.mode());
    assertEquals(file.kdf(), decoded.kdf());
  }

  @Property(tries = 500)
  void decode_randomBytes_onlyTypedFailure(@ForAll @Size(max = 200) byte[] bytes) {
    decodeOrTypedFailure(bytes);
  }

  @Property(tries = 500)
  void decode_mutatedFile_onlyTypedFailure(
      @ForAll("files") KeysetFile file,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 8) int cut) {
    byte[] encoded = file.encode();
    encoded[position % encoded.length] ^= (byte) (value | 1);
    decodeOrTypedFailure(encoded);
    decodeOrTypedFailure(java.util.Arrays.copyOf(encoded, Math.max(0, encoded.length - cut)));
  }

  private static void decodeOrTypedFailure(byte[] bytes) {
    try {
      KeysetFile.decode(bytes);
    } catch (StorageException expected) {
      // The only failure a decoder may report.
    }
  }

  @Test
  void open_rightPassphrase_sameKeyset() throws Exception {
    KeysetHandle keyset = KeysetFile.generateKeyset();
    byte[] encoded =
        KeysetFile.protect(keyset, "pw".toCharArray(), CHEAP, new SecureRandom()).encode();
    KeysetHandle opened = KeysetFile.decode(encoded).open("pw".toCharArray());
    assertTrue(keyset.getPrimary().getKey().equalsKey(opened.getPrimary().getKey()));
  }

  @Test
  void open_wrongOrMissingPassphrase_wrongPassphraseException() throws Exception {
    KeysetFile file =
        KeysetFile.protect(
            KeysetFile.generateKeyset(), "pw".toCharArray(), CHEAP, new SecureRandom());
    assertThrows(WrongPassphraseException.class, () -> file.open("pW".toCharArray()));
    assertThrows(WrongPassphraseException.class, () -> file.open(null));
  }

  @Test
  void open_tamperedKdfParameters_refused() throws Exception {
    byte[] encoded =
        KeysetFile.protect(
                KeysetFile.generateKeyset(), "pw".toCharArray(), CHEAP, new SecureRandom())
            .encode();
    encoded[9] ^= 1; // the low byte of the Argon2 memory cost: header is associated data
    KeysetFile tampered = KeysetFile.decode(encoded);
    assertThrows(WrongPassphraseException.class, () -> tampered.open("pw".toCharArray()));
  }

  @Test
  void open_cleartextWithPassphrase_refused() throws Exception {
    KeysetFile file = KeysetFile.cleartext(KeysetFile.generateKeyset());
    assertThrows(WrongPassphraseException.class, () -> file.open("pw".toCharArray()));
  }

  @Test
  void deriveKey_argon2idKnownAnswer() {
    // Expected value computed independently with the reference implementation (libargon2
    // 20171227, argon2id_hash_raw, version 0x13, t=2, m=64 KiB, p=1). A change of algorithm,
    // version or passphrase encoding would make existing keyset files unreadable.
    byte[] key =
        KeysetFile.deriveKey(
            "password".toCharArray(), new KeysetFile.KdfParams(64, 2, 1), "somesaltsomesalt".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(32, key.length);
    assertEquals(PINNED_KEY, Hex.toHexString(key));
  }

  private static final String PINNED_KEY =
      "1a98fba8e6394425c9bdc333a9c750aaf811df070f5fb4a5788e1cf4db5793a1";
}
