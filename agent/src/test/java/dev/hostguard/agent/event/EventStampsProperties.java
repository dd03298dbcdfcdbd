package dev.hostguard.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class EventStampsProperties {
    /** The JDK's own ISO-8601 spelling, to the millisecond, from year 0 to 9999. */
    @Property(tries = 5000)
    void timestampIsTheJdksIsoInstantToTheMillisecond(
            @ForAll @LongRange(min = -62_167_219_200_000L, max = 253_402_300_799_999L) long epochMillis) {
        Instant instant = Instant.ofEpochMilli(epochMillis);
        String jdk = instant.toString(); // drops a zero fraction, where we keep the width fixed
        assertEquals(instant.getNano() == 0 ? jdk.replace("Z", ".000Z") : jdk, EventStamps.iso(instant));
        assertEquals(instant, Instant.parse(EventStamps.iso(instant)));
    }

    @Property(tries = 1000)
    void timestampDropsWhatIsBelowTheMillisecond(@ForAll @LongRange(min = 0, max = 4_102_444_800L) long second,
                                                   @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
        Instant instant = Instant.ofEpochSecond(second, nanos);
        assertEquals(instant.truncatedTo(ChronoUnit.MILLIS), Instant.parse(EventStamps.iso(instant)));
    }

    @Example
    void idIsAVersion4IetfUuidSpelledAsTheJdkSpellsIt() {
        for (int i = 0; i < 1000; i++) {
            String text = EventStamps.newId();
            UUID id = UUID.fromString(text);
            assertEquals(4, id.version());
            assertEquals(2, id.variant());
            assertEquals(id.toString(), text); // 36 characters, lower-case hex, every digit in place
            assertNotEquals(text, EventStamps.newId());
        }
    }
}
