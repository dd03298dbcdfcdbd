package dev.hostguard.agent.cli.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The width of the over-time rows and bars: the narrowest of 1 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 d
 * and 7 d that shows the whole span in at most {@value #MAX_BUCKETS} bars, so a demo run of seconds and a week in
 * production both make a readable chart.
 */
final class TimeBuckets {
    static final int MAX_BUCKETS = 60;
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final List<Duration> WIDTHS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(7));

    private TimeBuckets() {
    }

    /** The narrowest width that covers {@code first} to {@code last} in at most {@value #MAX_BUCKETS} buckets. */
    static Duration widthFor(Instant first, Instant last) {
        for (Duration width : WIDTHS) {
            if (index(last, start(first, width), width) < MAX_BUCKETS) {
                return width;
            }
        }
        Duration span = Duration.between(first, last);
        return Duration.ofDays(span.toDays() / (MAX_BUCKETS - 1) + 1);
    }

    /** The start of the bucket holding {@code at} (buckets are aligned to the epoch, so to whole minutes, hours). */
    static Instant start(Instant at, Duration width) {
        long seconds = width.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), seconds) * seconds);
    }

    /** Which bucket, counted from {@code origin}, holds {@code at}. */
    static int index(Instant at, Instant origin, Duration width) {
        return (int) ((at.getEpochSecond() - origin.getEpochSecond()) / width.toSeconds());
    }

    /** A bucket's start, in UTC, to the second when buckets are narrower than a minute. */
    static String format(Instant start, Duration width) {
        return (width.toSeconds() < 60 ? SECONDS : MINUTES).format(start);
    }

    /** {@code 10 s}, {@code 1 min}, {@code 15 min}, {@code 1 h}, {@code 1 d}. */
    static String label(Duration width) {
        if (width.toDays() > 0 && width.toHours() % 24 == 0) {
            return width.toDays() + " d";
        }
        if (width.toHours() > 0 && width.toMinutes() % 60 == 0) {
            return width.toHours() + " h";
        }
        return width.toSeconds() < 60 ? width.toSeconds() + " s" : width.toMinutes() + " min";
    }
}
