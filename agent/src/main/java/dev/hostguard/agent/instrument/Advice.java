package dev.hostguard.agent.instrument;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotations of advice classes, shaped like Byte Buddy's {@code Advice} annotations of the same names (only
 * the parts the hooks use). {@link AdviceWeaver} reads them, and the advice methods' bodies, from the advice
 * class files and copies the bodies into the hooked methods; they are never read by reflection (retention
 * {@code CLASS}: the JVM does not even keep them).
 */
final class Advice {
    private Advice() {
    }

    /** The method whose body is copied to the start of the hooked method. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.METHOD)
    @interface OnMethodEnter {
        /** {@link OnNonDefaultValue}: when the method returns anything but its default value, the hooked method's
         *  body is skipped and it returns its own default value. */
        Class<?> skipOn() default void.class;
    }

    /** The method whose body is copied to every exit of the hooked method. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.METHOD)
    @interface OnMethodExit {
        /** {@code Throwable.class}: also on an exception thrown by the hooked method, which is rethrown after. */
        Class<?> onThrowable() default void.class;
    }

    /** See {@link OnMethodEnter#skipOn()}. */
    static final class OnNonDefaultValue {
        private OnNonDefaultValue() {
        }
    }

    /** The hooked method's argument {@code value}; assigning it (with {@code readOnly = false}) replaces it. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface Argument {
        int value();

        boolean readOnly() default true;
    }

    /** The instance the hooked method runs on. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface This {
    }

    /** In an exit: what the enter method returned. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface Enter {
    }

    /** In an exit: the hooked method's return value (its default after an exception); assigning it replaces it. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface Return {
        boolean readOnly() default true;
    }

    /** In an exit: the hooked method's exception, or null; assigning it replaces it (null: return normally). */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface Thrown {
        boolean readOnly() default true;
    }

    /** The value of a field of the hooked instance, read at entry. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    @interface FieldValue {
        String value();
    }
}
