package dev.hostguard.agent;

import java.net.Inet6Address;
import java.net.InetAddress;
import jdk.internal.misc.Unsafe;

/**
 * Reads what a connect's {@code InetAddress} holds without allocating and without a lookup: the name the caller
 * connected to, and an IPv6 address's bytes. The public API cannot: {@code getHostName()} does a reverse lookup
 * when the address was given as a literal, {@code toString()} and {@code getAddress()} allocate. So the two
 * fields are read with the JDK's internal {@code Unsafe} (compiled, like {@link BootLoaderDefiner}, with
 * {@code --add-exports java.base/jdk.internal.misc}; the export to the agent is made by
 * {@link BootstrapInjector} before anything here runs): {@code InetAddress.holder.hostName} and
 * {@code Inet6Address.holder6.ipaddress}, the same on JDK 17 to 25. Where they cannot be found (another JVM, or
 * no export, as in unit tests) the public API stands in, allocating.
 */
final class InetAddressFields {
    private static final Unsafe UNSAFE;
    private static final long HOLDER;
    private static final long HOST_NAME;
    private static final long HOLDER6;
    private static final long IP_ADDRESS;
    /** Whether the fields were found; else the public API is used. */
    static final boolean DIRECT;

    static {
        Unsafe unsafe = null;
        long holder = -1;
        long hostName = -1;
        long holder6 = -1;
        long ipAddress = -1;
        try {
            unsafe = Unsafe.getUnsafe();
            holder = unsafe.objectFieldOffset(InetAddress.class, "holder");
            hostName = unsafe.objectFieldOffset(Class.forName("java.net.InetAddress$InetAddressHolder"), "hostName");
            holder6 = unsafe.objectFieldOffset(Inet6Address.class, "holder6");
            ipAddress = unsafe.objectFieldOffset(Class.forName("java.net.Inet6Address$Inet6AddressHolder"),
                    "ipaddress");
        } catch (Throwable notAvailable) { // IllegalAccessError without the export; InternalError, CNFE elsewhere
            unsafe = null;
        }
        UNSAFE = unsafe;
        HOLDER = holder;
        HOST_NAME = hostName;
        HOLDER6 = holder6;
        IP_ADDRESS = ipAddress;
        DIRECT = unsafe != null;
    }

    private InetAddressFields() {
    }

    /**
     * The name the address was resolved from (what the caller connected to), never looked up; {@code null} for an
     * address given as a literal.
     */
    static String hostName(InetAddress address) {
        if (DIRECT) {
            Object holder = UNSAFE.getReference(address, HOLDER);
            return holder == null ? null : (String) UNSAFE.getReference(holder, HOST_NAME);
        }
        String text = address.toString(); // "name/literal", or "/literal"
        int slash = text.indexOf('/');
        return slash <= 0 ? null : text.substring(0, slash);
    }

    /** An IPv6 address's 16 bytes: the JDK's own array, to be read and never changed. */
    static byte[] ipv6(Inet6Address address) {
        if (DIRECT) {
            Object holder = UNSAFE.getReference(address, HOLDER6);
            if (holder != null && UNSAFE.getReference(holder, IP_ADDRESS) instanceof byte[] bytes) {
                return bytes;
            }
        }
        return address.getAddress();
    }
}
