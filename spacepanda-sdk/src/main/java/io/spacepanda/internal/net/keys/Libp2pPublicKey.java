package io.spacepanda.internal.net.keys;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A libp2p public key: the protobuf {@code PublicKey {KeyType Type = 1; bytes Data = 2;}} of the
 * peer-ids spec, with signature verification for Ed25519, secp256k1, RSA and ECDSA P-256.
 *
 * <p>Design: decoding parses the key material at once, so an instance always holds a usable key;
 * the encoding is kept exactly as received, because the peer id hashes those bytes. Decoding
 * accepts only the deterministic encoding (fields in order, each once, no unknown fields), as the
 * spec requires of signers. Immutable and thread-safe.
 */
public final class Libp2pPublicKey {

  /** Largest encoded public key accepted (an 8192-bit RSA PKIX key is about 1.1 KiB). */
  public static final int MAX_ENCODED_BYTES = 2048;

  /** Smallest RSA modulus accepted, in bits (go-libp2p's bound). */
  public static final int MIN_RSA_BITS = 2048;

  /** Largest RSA modulus accepted, in bits. */
  public static final int MAX_RSA_BITS = 8192;

  /** Longest key encoding that is inlined in the peer id as an identity multihash. */
  public static final int MAX_INLINE_KEY_BYTES = 42;

  private static final X9ECParameters SECP256K1 = ECNamedCurveTable.getByName("secp256k1");
  private static final ECDomainParameters SECP256K1_DOMAIN =
      new ECDomainParameters(SECP256K1.getCurve(), SECP256K1.getG(), SECP256K1.getN(), SECP256K1.getH());

  private final KeyType type;
  private final byte[] data;
  private final byte[] encoded;
  private final AsymmetricKeyParameter key;

  private Libp2pPublicKey(KeyType type, byte[] data, byte[] encoded, AsymmetricKeyParameter key) {
    this.type = type;
    this.data = data;
    this.encoded = encoded;
    this.key = key;
  }

  /**
   * Returns the libp2p public key of a raw Ed25519 public key.
   *
   * @param raw the 32-byte key, not modified
   * @return the key
   */
  public static Libp2pPublicKey ed25519(byte[] raw) {
    try {
      return fromParts(KeyType.ED25519, raw.clone());
    } catch (KeyDecodeException e) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes", e);
    }
  }

  /**
   * Decodes the protobuf encoding.
   *
   * @param encoded the protobuf bytes, not modified
   * @return the key
   * @throws KeyDecodeException if the bytes are not a deterministic encoding of a valid key
   */
  public static Libp2pPublicKey decode(byte[] encoded) throws KeyDecodeException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new KeyDecodeException("public key too long");
    }
    KeyType type;
    byte[] data;
    try {
      CodedInputStream in = CodedInputStream.newInstance(encoded);
      if (in.readTag() != (1 << 3 | WireFormat.WIRETYPE_VARINT)) {
        throw new KeyDecodeException("public key must start with its type");
      }
      type = KeyType.forNumberOrNull(in.readUInt64());
      if (type == null) {
        throw new KeyDecodeException("unsupported key type");
      }
      if (in.readTag() != (2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        throw new KeyDecodeException("public key must hold its data");
      }
      data = in.readByteArray();
      if (!in.isAtEnd()) {
        throw new KeyDecodeException("trailing bytes after public key");
      }
    } catch (IOException e) {
      throw new KeyDecodeException("malformed public key", e);
    }
    Libp2pPublicKey key = fromParts(type, data);
    if (!Arrays.equals(key.encoded, encoded)) {
      throw new KeyDecodeException("public key encoding is not deterministic");
    }
    return key;
  }

  private static Libp2pPublicKey fromParts(KeyType type, byte[] data) throws KeyDecodeException {
    AsymmetricKeyParameter key;
    try {
      switch (type) {
        case ED25519:
          if (data.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new KeyDecodeException("Ed25519 public key must be 32 bytes");
          }
          key = new Ed25519PublicKeyParameters(data, 0);
          break;
        case SECP256K1:
          if (data.length != 33) {
            throw new KeyDecodeException("secp256k1 public key must be 33 compressed bytes");
          }
          ECPoint q = SECP256K1.getCurve().decodePoint(data);
          key = new ECPublicKeyParameters(q, SECP256K1_DOMAIN);
          break;
        case RSA:
          AsymmetricKeyParameter rsa = PublicKeyFactory.createKey(data);
          if (!(rsa instanceof RSAKeyParameters)) {
            throw new KeyDecodeException("RSA public key expected");
          }
          int bits = ((RSAKeyParameters) rsa).getModulus().bitLength();
          if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
            throw new KeyDecodeException("RSA key size out of range");
          }
          key = rsa;
          break;
        case ECDSA:
          AsymmetricKeyParameter ec = PublicKeyFactory.createKey(data);
          if (!(ec instanceof ECPublicKeyParameters)
              || ((ECPublicKeyParameters) ec).getParameters().getCurve().getFieldSize() != 256) {
            throw new KeyDecodeException("ECDSA P-256 public key expected");
          }
          key = ec;
          break;
        default:
          throw new KeyDecodeException("unsupported key type");
      }
    } catch (KeyDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new KeyDecodeException("malformed key material", e);
    }
    return new Libp2pPublicKey(type, data, encode(type, data), key);
  }

  private static byte[] encode(KeyType type, byte[] data) {
    byte[] out =
        new byte[CodedOutputStream.computeEnumSize(1, type.number())
            + CodedOutputStream.computeByteArraySize(2, data)];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeEnum(1, type.number());
      cos.writeByteArray(2, data);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("sized protobuf buffer overflowed", e);
    }
    return out;
  }

  /**
   * Returns whether {@code signature} is this key's valid signature of {@code message}.
   *
   * @param message the signed bytes
   * @param signature the signature in the key type's libp2p format
   * @return {@code true} only for a valid signature; malformed signatures give {@code false}
   */
  public boolean verify(byte[] message, byte[] signature) {
    try {
      switch (type) {
        case ED25519: {
          if (signature.length != 64) {
            return false;
          }
          Ed25519Signer v = new Ed25519Signer();
          v.init(false, key);
          v.update(message, 0, message.length);
          return v.verifySignature(signature);
        }
        case RSA: {
          RSADigestSigner v = new RSADigestSigner(new SHA256Digest());
          v.init(false, key);
          v.update(message, 0, message.length);
          return v.verifySignature(signature);
        }
        case SECP256K1:
        case ECDSA: {
          if (signature.length > 80) {
            return false;
          }
          BigInteger[] rs = decodeDerSignature(signature);
          if (rs == null) {
            return false;
          }
          SHA256Digest d = new SHA256Digest();
          byte[] hash = new byte[32];
          d.update(message, 0, message.length);
          d.doFinal(hash, 0);
          ECDSASigner v = new ECDSASigner();
          v.init(false, key);
          return v.verifySignature(hash, rs[0], rs[1]);
        }
        default:
          return false;
      }
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static BigInteger[] decodeDerSignature(byte[] sig) {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(sig);
      if (!(p instanceof ASN1Sequence) || ((ASN1Sequence) p).size() != 2) {
        return null;
      }
      if (!Arrays.equals(p.getEncoded("DER"), sig)) {
        return null;
      }
      ASN1Sequence s = (ASN1Sequence) p;
      BigInteger r = ASN1Integer.getInstance(s.getObjectAt(0)).getPositiveValue();
      BigInteger sv = ASN1Integer.getInstance(s.getObjectAt(1)).getPositiveValue();
      return new BigInteger[] {r, sv};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Returns the peer id multihash: identity of the encoding when it is at most 42 bytes, else
   * sha2-256 of it (peer-ids spec, "Peer Ids").
   *
   * @return a new array holding the multihash
   */
  public byte[] peerIdMultihash() {
    if (encoded.length <= MAX_INLINE_KEY_BYTES) {
      byte[] out = new byte[2 + encoded.length];
      out[0] = 0x00;
      out[1] = (byte) encoded.length;
      System.arraycopy(encoded, 0, out, 2, encoded.length);
      return out;
    }
    SHA256Digest d = new SHA256Digest();
    d.update(encoded, 0, encoded.length);
    byte[] out = new byte[34];
    out[0] = 0x12;
    out[1] = 32;
    d.doFinal(out, 2);
    return out;
  }

  /**
   * Returns the key type.
   *
   * @return the type
   */
  public KeyType type() {
    return type;
  }

  /**
   * Returns a copy of the key material ({@code Data} field).
   *
   * @return the key bytes in the type's format
   */
  public byte[] data() {
    return data.clone();
  }

  /**
   * Returns a copy of the protobuf encoding.
   *
   * @return the encoded key
   */
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Libp2pPublicKey && Arrays.equals(((Libp2pPublicKey) o).encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "Libp2pPublicKey{" + type + "}";
  }
}
