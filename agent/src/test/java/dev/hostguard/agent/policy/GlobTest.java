package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
    @ParameterizedTest
    @CsvSource({
        "/usr/bin/pg_dump, /usr/bin/pg_dump, true",
        "/usr/bin/*, /usr/bin/pg_dump, true",
        "/usr/bin/*, /usr/bin/x/pg_dump, false",
        "/usr/**, /usr/bin/x/pg_dump, true",
        "/var/log/myapp/**, /var/log/myapp, true",
        "/var/log/myapp/**, /var/log/myapp2, false",
        "/backups/*.dump, /backups/a.dump, true",
        "/backups/*.dump, /backups/../etc/x.dump, false",
        "--file=/backups/*.dump, --file=/backups/db.dump, true",
        "?.txt, a.txt, true",
        "?.txt, /.txt, false",
        "a*b*c, abc, true",
        "a*b*c, aXbYc, true",
        "a*b*c, aXbY, false",
        "/admin/*/exec, /admin/x/exec, true",
        "**, anything/at/all, true",
        "*, '', true",
        "x, '', false",
        "'', '', true",
        "'', x, false",
    })
    void matches(String pattern, String input, boolean expected) {
        if (expected) {
            assertTrue(new Glob(pattern).matches(input), pattern + " vs " + input);
        } else {
            assertFalse(new Glob(pattern).matches(input), pattern + " vs " + input);
        }
    }

    /** Arguments and request paths come from the request: no input may make matching explode. */
    @org.junit.jupiter.api.Test
    void aHostileInputTakesLinearTime() {
        String hostile = "a".repeat(100_000);
        Glob stars = new Glob("*a*a*a*a*a*a*a*a*b");
        Glob globstars = new Glob("**a**a**a**a**a**b");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(stars.matches(hostile));
            assertFalse(globstars.matches(hostile));
        });
    }
}
