package io.renku.gateway.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a session attribute is stored as a Redis hash value: one tag byte, then the value. Strings, numbers, booleans
 * and byte arrays are written natively, so they stay readable with {@code redis-cli} and cost no Java serialization;
 * anything else must be {@link Serializable} and is written with JDK serialization, as spring-session does.
 *
 * <p>Reading JDK-serialized bytes from a shared store is dangerous (a process that can write to Redis could plant a
 * gadget chain), so deserialization runs behind an {@link ObjectInputFilter} that admits only JDK value classes and the
 * gateway's own classes. Widen the pattern rather than switching it off.
 */
public final class AttributeCodec {
    /** JDK value types and the gateway's own records; everything else is refused. */
    public static final String DEFAULT_FILTER = "maxdepth=20;maxrefs=10000;maxbytes=1048576;maxarray=100000;"
            + "java.lang.*;java.util.*;java.time.*;java.net.URI;java.net.URL;io.renku.gateway.**;!*";

    private static final byte STRING = 's';
    private static final byte LONG = 'l';
    private static final byte INTEGER = 'i';
    private static final byte BOOLEAN = 'b';
    private static final byte BYTES = 'y';
    private static final byte JAVA = 'j';

    private final ObjectInputFilter filter;

    public AttributeCodec() {
        this(DEFAULT_FILTER);
    }

    public AttributeCodec(String filterPattern) {
        this.filter = ObjectInputFilter.Config.createFilter(Objects.requireNonNull(filterPattern, "filterPattern"));
    }

    /** The stored form; rejects values that can be neither written natively nor serialized. */
    public byte[] encode(String name, Object value) {
        Objects.requireNonNull(value, "value");
        if (value instanceof String s) {
            return tagged(STRING, s.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Long l) {
            return tagged(LONG, Long.toString(l).getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof Integer i) {
            return tagged(INTEGER, Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof Boolean b) {
            return new byte[] {BOOLEAN, (byte) (b ? '1' : '0')};
        } else if (value instanceof byte[] bytes) {
            return tagged(BYTES, bytes);
        } else if (value instanceof Serializable) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(JAVA);
            try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
                objects.writeObject(value);
            } catch (IOException e) {
                throw new IllegalArgumentException("session attribute '" + name + "' cannot be serialized ("
                        + value.getClass().getName() + ")", e);
            }
            return out.toByteArray();
        }
        throw new IllegalArgumentException("session attribute '" + name + "' must be a String, Long, Integer, "
                + "Boolean, byte[] or Serializable, was " + value.getClass().getName());
    }

    /** The value back; a byte array comes back as a copy. */
    public Object decode(String name, byte[] stored) {
        if (stored.length == 0) {
            throw unreadable(name, null);
        }
        byte[] body = Arrays.copyOfRange(stored, 1, stored.length);
        try {
            return switch (stored[0]) {
                case STRING -> new String(body, StandardCharsets.UTF_8);
                case LONG -> Long.parseLong(new String(body, StandardCharsets.US_ASCII));
                case INTEGER -> Integer.parseInt(new String(body, StandardCharsets.US_ASCII));
                case BOOLEAN -> body.length == 1 && body[0] == '1';
                case BYTES -> body;
                case JAVA -> deserialize(body);
                default -> throw unreadable(name, null);
            };
        } catch (NumberFormatException | IOException | ClassNotFoundException e) {
            throw unreadable(name, e);
        }
    }

    private Object deserialize(byte[] body) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException refused) {
            throw new IOException("class refused by the attribute filter", refused);
        }
    }

    private static byte[] tagged(byte tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private static IllegalStateException unreadable(String name, Exception cause) {
        return new IllegalStateException("session attribute '" + name + "' cannot be read", cause);
    }
}
