package dev.hostguard.agent.event;

import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids and {@code @timestamp} text, made without the JDK's costly first uses: {@code UUID.randomUUID()}
 * initialises {@code SecureRandom} and {@link Instant#toString()} the {@code java.time.format} machinery, tens of
 * milliseconds and hundreds of classes at start-up. An event id only has to be unique, not unpredictable.
 */
public final class EventStamps {
    private EventStamps() {
    }

    /** A random (version 4) UUID. */
    public static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L; // version 4
        long low = random.nextLong() & ~(3L << 62) | 1L << 63; // IETF variant
        char[] text = new char[36];
        hex(text, 0, high >>> 32, 8);
        text[8] = '-';
        hex(text, 9, high >>> 16, 4);
        text[13] = '-';
        hex(text, 14, high, 4);
        text[18] = '-';
        hex(text, 19, low >>> 48, 4);
        text[23] = '-';
        hex(text, 24, low, 12);
        return new String(text);
    }

    /** The low {@code digits} hex digits of {@code value}, lower case, into {@code text} at {@code at}. */
    private static void hex(char[] text, int at, long value, int digits) {
        for (int i = at + digits - 1; i >= at; i--, value >>>= 4) {
            text[i] = HEX[(int) (value & 0xF)];
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code instant} in ISO-8601, UTC, to the millisecond: {@code 2026-11-29T03:04:05.678Z}. */
    public static String iso(Instant instant) {
        long seconds = instant.getEpochSecond();
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
        int year = day.getYear();
        if (year < 0 || year > 9999) {
            return instant.toString(); // outside ISO-8601's four-digit years: let the JDK spell it
        }
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        StringBuilder s = new StringBuilder(24);
        pad(s, year, 4).append('-');
        pad(s, day.getMonthValue(), 2).append('-');
        pad(s, day.getDayOfMonth(), 2).append('T');
        pad(s, secondOfDay / 3600, 2).append(':');
        pad(s, secondOfDay / 60 % 60, 2).append(':');
        pad(s, secondOfDay % 60, 2).append('.');
        return pad(s, instant.getNano() / 1_000_000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder s, int value, int width) {
        for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
            if (value < limit) {
                s.append('0');
            }
        }
        return s.append(value);
    }
}
