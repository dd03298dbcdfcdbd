package dev.hostguard.benchmarks;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What self-protection (issue 14) adds to every {@code setAccessible} of the JVM: the hook on
 * {@code AccessibleObject.checkCanSetAccessible} asks the facade whether the member's class is HostGuard's, by one
 * prefix compare of the class's cached name, and returns at once for any other class.
 *
 * <ul>
 *   <li>{@code accessCheckOtherClass}: {@link Hooks#accessRefused} for a class not HostGuard's, as the advice calls
 *       it, for a class sharing {@code dev.hostguard.} with HostGuard's package (the worst case) and for a JDK class
 *       ({@code accessCheckJdkClass}). Target: at most 5 ns and 0 bytes.</li>
 *   <li>{@code trySetAccessible}, {@code trySetAccessibleWithoutAgent}: {@code Field.trySetAccessible()} of a private
 *       field of an application class, woven (HostGuard attached) and not (a fork without the agent): what a
 *       framework's reflection pays, the difference being the hook.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = Agent.BLOCK)
@State(Scope.Thread)
public class ReflectionGuardBenchmark {
    /** A member of an application class, the kind every framework makes accessible. */
    @SuppressWarnings("unused")
    private static final class Bean {
        private String name;
    }

    private Field field;
    /** Not final, not folded: the declaring class and the caller the advice passes. */
    private Class<?> declaring;
    private Class<?> caller;
    private Class<?> otherDeclaring;
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws NoSuchFieldException {
        Agent.requireConfiguration(params);
        field = Bean.class.getDeclaredField("name");
        declaring = Bean.class;
        caller = ReflectionGuardBenchmark.class;
        otherDeclaring = java.util.ArrayList.class;
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Agent.requireNoEventsSince(eventsBefore);
    }

    /**
     * The facade's answer for a class that is not HostGuard's, the worst case: this benchmark's class shares
     * {@code dev.hostguard.} with HostGuard's package, so the compare runs 14 characters before it fails.
     */
    @Benchmark
    public boolean accessCheckOtherClass() {
        return Hooks.accessRefused(field, caller, declaring, true);
    }

    /** The same for a class of another package (the common case: the compare fails at the first characters). */
    @Benchmark
    public boolean accessCheckJdkClass() {
        return Hooks.accessRefused(field, caller, otherDeclaring, true);
    }

    /**
     * {@code setAccessible(false)} (no check) then {@code trySetAccessible()} of an application field, through the
     * woven JDK method: the check runs every time (once accessible, {@code trySetAccessible} returns at once).
     */
    @Benchmark
    public boolean trySetAccessible() {
        field.setAccessible(false);
        return field.trySetAccessible();
    }

    /** The same without HostGuard. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dhostguard.benchmark.agent=none")
    public boolean trySetAccessibleWithoutAgent() {
        field.setAccessible(false);
        return field.trySetAccessible();
    }
}
