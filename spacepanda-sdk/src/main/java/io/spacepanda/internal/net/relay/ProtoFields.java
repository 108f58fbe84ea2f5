package io.spacepanda.internal.net.relay;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Objects;

/**
 * The one bounded protobuf field reader of the small libp2p messages of this library (circuit
 * relay v2, AutoNAT v1, DCUtR): fields {@code 1..varints.length} are known, each either a varint
 * or length-delimited; a known field of another wire type is refused; unknown fields are skipped;
 * the whole input is the size limit of the stream. Each caller maps failures to its own typed
 * exception. Stateless.
 */
public final class ProtoFields {

  /**
   * Reads one known field.
   *
   * @param <E> the caller's typed exception
   */
  @FunctionalInterface
  public interface FieldReader<E extends Exception> {
    /**
     * Reads the value of {@code field} from {@code in}.
     *
     * @param field the field number, 1 to {@code varints.length}
     * @param in the stream, positioned at the value
     * @throws IOException when the value is malformed
     * @throws E when the value breaks the caller's rules
     */
    void read(int field, CodedInputStream in) throws IOException, E;
  }

  /**
   * Makes the caller's exception.
   *
   * @param <E> the caller's typed exception
   */
  @FunctionalInterface
  public interface Malformed<E extends Exception> {
    /**
     * Makes the exception.
     *
     * @param message what is wrong
     * @param cause the underlying failure, or null
     * @return the exception to throw
     */
    E of(String message, Throwable cause);
  }

  private ProtoFields() {}

  /**
   * Reads the fields of one message.
   *
   * @param <E> the caller's typed exception
   * @param data the protobuf bytes (the caller bounds their length)
   * @param varints for each known field, whether it is a varint (else length-delimited)
   * @param reader reads each known field
   * @param malformed makes the exception for malformed bytes and wrong wire types
   * @throws E when the bytes are malformed or the reader refuses a value
   */
  public static <E extends Exception> void read(byte[] data, boolean[] varints, FieldReader<E> reader,
      Malformed<E> malformed) throws E {
    Objects.requireNonNull(data, "data");
    try {
      CodedInputStream in = CodedInputStream.newInstance(data);
      in.setSizeLimit(data.length);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        if (field >= 1 && field <= varints.length) {
          int want = varints[field - 1] ? WireFormat.WIRETYPE_VARINT : WireFormat.WIRETYPE_LENGTH_DELIMITED;
          if (WireFormat.getTagWireType(tag) != want) {
            throw malformed.of("field " + field + " has the wrong wire type", null);
          }
          reader.read(field, in);
        } else if (!in.skipField(tag)) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw malformed.of("malformed message", e);
    }
  }
}
